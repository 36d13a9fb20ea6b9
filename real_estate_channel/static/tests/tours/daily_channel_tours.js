import { registry } from "@web/core/registry";

import {
    field,
    noErrorDialog,
    openMenu,
    openSalesOffice,
    orError,
} from "@real_estate_attribution/../tests/tours/daily_task_steps";

// Daily tasks of the channel side, each by its role (real_estate_channel/tests/test_tours.py).

const CHANNELS = "real_estate_channel.menu_channels_root";
const CONFIRMATIONS = "real_estate_channel.menu_visit_confirmations";
const STATEMENTS = "real_estate_channel.menu_channel_statements";
// the customer reported by 周杰 (安居客分销) and received by 李娜 (set up by the test)
const CUSTOMER = "蒋雨桐";

function stateIs(state) {
    return orError(
        `${field("state")}:has(.o_arrow_button_current[data-value='${state}'])`,
        `The record is ${state}`
    );
}

/**
 * Click the Print button of the form and wait until the report is downloaded; a failed download
 * (a server error while rendering) opens an error dialog and fails the step.
 */
function printForm() {
    return [
        {
            content: "Watch the report downloads",
            trigger: ".o_form_view .o_form_statusbar button[name='action_print']",
            run() {
                const { download } = odoo.loader.modules.get("@web/core/network/download");
                const original = download._download;
                download._download = async (options) => {
                    const result = await original(options);
                    document.body.dataset.reDownloaded = JSON.parse(options.data.data)[0];
                    return result;
                };
            },
        },
        {
            content: "Print",
            trigger: ".o_form_view .o_form_statusbar button[name='action_print']",
            run: "click",
        },
        orError("body[data-re-downloaded*='/report/pdf/']", "The report is printed (downloaded as PDF)"),
        ...noErrorDialog(),
    ];
}

function openConfirmation() {
    return [
        ...openSalesOffice(),
        ...openMenu(CHANNELS, CONFIRMATIONS),
        {
            content: `Open the confirmation of ${CUSTOMER}`,
            trigger: `.o_list_view .o_data_row .o_data_cell[name='customer_name']:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "The confirmation awaits its signatures",
            trigger: `${field("customer_name")}:contains('${CUSTOMER}')`,
        },
    ];
}

// Daily task 6 (agent, portal): sign the visit confirmation of the reported customer (CH-7).
registry.category("web_tour.tours").add("real_estate_daily_confirmation_agent", {
    steps: () => [
        {
            content: "Open the channel reports from the portal home",
            trigger: ".o_portal_docs a[href='/my/reports']",
            run: "click",
        },
        {
            content: "Open the report of the customer",
            trigger: `.o_report_row:has(td:contains('${CUSTOMER}')) a[href^='/my/reports/']`,
            run: "click",
        },
        {
            content: "The report shows its visit confirmation, not signed by anyone",
            trigger: ".o_report_detail .o_report_confirmation:not(:has(.o_report_agent_signed))",
        },
        {
            content: "Sign the visit confirmation",
            trigger: ".o_report_confirmation button.o_report_sign",
            run: "click",
        },
        {
            content: "The agent's signature is shown",
            trigger: ".o_report_confirmation .o_report_agent_signed",
        },
        {
            content: "No error, and nothing left to sign",
            trigger: ".o_report_detail:not(:has(.alert-danger:not(.o_report_message))):not(:has(button.o_report_sign))",
        },
    ],
});

// Daily task 6 (receiving consultant): sign in the back end.
registry.category("web_tour.tours").add("real_estate_daily_confirmation_consultant", {
    steps: () => [
        ...openConfirmation(),
        {
            content: "I am the receiving consultant",
            trigger: `${field("consultant_id")}:contains('李娜')`,
        },
        {
            content: "The agent has signed",
            trigger: `${field("agent_signed_at")}:not(:empty)`,
        },
        {
            content: "A consultant may not sign for the manager",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_sign_manager']))",
        },
        {
            content: "Sign as the receiving consultant",
            trigger: ".o_form_view .o_form_statusbar button[name='action_sign_consultant']",
            run: "click",
        },
        orError(
            ".o_form_view .o_form_statusbar:not(:has(button[name='action_sign_consultant']))",
            "The consultant has signed"
        ),
        {
            content: "The consultant's signature is dated",
            trigger: `${field("consultant_signed_at")}:not(:empty)`,
        },
        stateIs("pending"),
    ],
});

// Daily task 6 (site manager): the third signature confirms the channel visit; print the confirmation.
registry.category("web_tour.tours").add("real_estate_daily_confirmation_manager", {
    steps: () => [
        ...openConfirmation(),
        {
            content: "The agent has signed",
            trigger: `${field("agent_signed_at")}:not(:empty)`,
        },
        {
            content: "The receiving consultant has signed",
            trigger: `${field("consultant_signed_at")}:not(:empty)`,
        },
        {
            content: "Sign as the site manager",
            trigger: ".o_form_view .o_form_statusbar button[name='action_sign_manager']",
            run: "click",
        },
        stateIs("confirmed"),
        {
            content: "The manager's signature is recorded",
            trigger: `${field("manager_signed_by")}:contains('赵敏')`,
        },
        ...printForm(),
    ],
});

// Daily task 7 (channel manager): confirm the distributor's draft commission statement and print it.
registry.category("web_tour.tours").add("real_estate_daily_statement", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu(CHANNELS, STATEMENTS),
        {
            content: "Open the draft statement of 安居客分销",
            trigger: ".o_list_view .o_data_row:has(.o_data_cell[name='channel_id']:contains('安居客分销')) .o_data_cell[name='date_from']",
            run: "click",
        },
        stateIs("draft"),
        {
            content: "The statement lists its deals",
            trigger: `${field("line_ids")} .o_data_row`,
        },
        {
            content: "Confirm the statement",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        stateIs("confirmed"),
        {
            content: "A confirmed statement is frozen: no recompute, no confirm",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_refresh'])):not(:has(button[name='action_confirm']))",
        },
        ...printForm(),
    ],
});

// Daily task 8 (agent, on a phone): report a customer from the portal; a mistyped number is refused
// with the form kept and nothing written, then the corrected report is decided at once.
function inTwoDays() {
    const day = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T10:30`;
}

function fillReport(phone) {
    return [
        {
            content: "Enter the customer's name",
            trigger: "form.o_report_form input[name='customer_name']",
            run: "edit 邹晓彤",
        },
        {
            content: `Enter the mobile ${phone}`,
            trigger: "form.o_report_form input[name='phone']",
            run: `edit ${phone}`,
        },
        {
            content: "Enter the expected visit (a datetime-local input is set, not typed)",
            trigger: "form.o_report_form input[name='expected_visit']",
            run() {
                this.anchor.value = inTwoDays();
            },
        },
        {
            content: "The agreement's only office is chosen",
            trigger: "form.o_report_form select[name='team_id']",
            run() {
                const chosen = this.anchor.selectedOptions[0]?.textContent || "";
                if (!chosen.includes("滨江壹号")) {
                    throw new Error(`The office chosen is "${chosen}"`);
                }
            },
        },
        {
            content: "Submit the report",
            trigger: "form.o_report_form button.o_report_submit",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("real_estate_daily_portal_report_phone", {
    steps: () => [
        {
            content: "The reports are cards on a phone",
            trigger: ".o_report_card",
        },
        {
            content: "Report a customer",
            trigger: "a.o_report_new",
            run: "click",
        },
        ...fillReport("138 1234 567"),
        {
            content: "The form comes back with the error (ID-1)",
            trigger: "form.o_report_form .o_report_error:contains('138 1234 567')",
        },
        {
            content: "The form keeps what was typed",
            trigger: "form.o_report_form input[name='customer_name']:value(邹晓彤)",
        },
        ...fillReport("138 1234 5670"),
        {
            content: "The report is shown with its state",
            trigger: ".o_report_detail .o_report_state.text-bg-success",
        },
        {
            content: "The decision is explained",
            trigger: ".o_report_detail .o_report_message.alert-info:not(:empty)",
        },
        {
            content: "The customer and the number are the ones entered",
            trigger: ".o_report_detail:has(dd:contains('邹晓彤')) .o_report_phone:contains('5670')",
        },
        {
            content: "Back to the reports",
            trigger: ".o_report_detail a[href='/my/reports']",
            run: "click",
        },
        {
            content: "The new report is listed once",
            trigger: ".o_report_card:contains('邹晓彤')",
        },
    ],
});

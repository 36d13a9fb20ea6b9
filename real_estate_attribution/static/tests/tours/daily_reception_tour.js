import { registry } from "@web/core/registry";

import { field, noErrorDialog, openMenu, openSalesOffice } from "./daily_task_steps";

// Daily task 1 (consultant): receive a first-time walk-in, then the same customer coming back.
// RO-1: the duty rotation chooses the receiver of a new visitor; RO-3: a returning customer stays
// with their consultant. The test (test_tours.py) makes 李娜 next up and checks the stored visits.

const RECEPTION = "real_estate_attribution.menu_reception";
const RECEIVE_VISITOR = "real_estate_attribution.menu_receive_visitor";
const CONSULTANT = "李娜";

function fillVisitor(name, phone) {
    return [
        ...openMenu(RECEPTION, RECEIVE_VISITOR),
        {
            content: "The reception desk opens in a dialog",
            trigger: `${field("customer_name", { modal: true })} input`,
        },
        {
            content: "Type the visitor's name",
            trigger: `${field("customer_name", { modal: true })} input`,
            run: `edit ${name}`,
        },
        {
            content: "Type the visitor's mobile",
            trigger: `${field("phone", { modal: true })} input`,
            run: `edit ${phone}`,
        },
        {
            content: "Tick: I asked the three questions (PR-5)",
            trigger: `${field("questions_asked", { modal: true })} input[type='checkbox']`,
            run: "check",
        },
        {
            content: "How did they hear of us?",
            trigger: `${field("answer_heard_from", { modal: true })} input`,
            run: "edit 朋友介绍",
        },
    ];
}

function receive() {
    return [
        {
            content: "Receive",
            trigger: ".modal-footer button[name='action_receive']",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal .o_form_view))",
        },
        ...noErrorDialog(),
    ];
}

function receptionSteps({ name, phone, chinese = false }) {
    return [
        ...openSalesOffice(),
        // a first-time visitor: the duty rotation decides (RO-1)
        ...fillVisitor(name, phone),
        {
            content: "First visit? yes",
            trigger: `${field("answer_first_visit", { modal: true })} select`,
            run: 'select "yes"',
        },
        {
            content: "The desk shows who is next up in the rotation",
            trigger: `${field("preview_receiver_id", { modal: true })}:contains('${CONSULTANT}')`,
        },
        {
            content: "No customer matches a new number",
            trigger: ".modal .o_form_view:not(:has(.o_field_widget[name='match_lead_id']))",
        },
        ...(chinese
            ? [
                  {
                      content: "The desk speaks Chinese: the Receive button reads 接待",
                      trigger: ".modal-footer button[name='action_receive']:contains('接待')",
                  },
              ]
            : []),
        ...receive(),
        {
            content: "The customer form opens with the owner chosen by the rotation",
            trigger: `${field("owner_user_id")}:contains('${CONSULTANT}')`,
        },
        {
            content: "The customer is the one received",
            trigger: `${field("name")} textarea:value(${name})`,
        },
        {
            content: "The rule is the duty rotation (RO-1)",
            trigger: `${field("attribution_rule")}:contains('RO-1')`,
        },
        {
            content: "The explanation names the receiver and the rule",
            trigger: `${field("attribution_explanation")}:contains('${CONSULTANT}'):contains('RO-1')`,
        },
        ...(chinese
            ? [
                  {
                      content: "The explanation is in Chinese (该客户归属…)",
                      trigger: `${field("attribution_explanation")}:contains('该客户归属')`,
                  },
              ]
            : []),
        {
            content: "The protection end is shown",
            trigger: `${field("protection_end")}:not(:empty)`,
        },
        // the same mobile again: the desk finds the customer and its owner before receiving (RO-3)
        ...fillVisitor(name, phone),
        {
            content: "The desk matched the customer",
            trigger: `${field("match_lead_id", { modal: true })}:contains('${name}')`,
        },
        {
            content: "The desk shows the current owner",
            trigger: `${field("preview_owner_id", { modal: true })}:contains('${CONSULTANT}')`,
        },
        {
            content: "The desk explains the current ownership",
            trigger: `${field("preview_explanation", { modal: true })}:contains('${CONSULTANT}')`,
        },
        ...receive(),
        {
            content: "The customer form opens again, with two visits",
            trigger: ".o_form_view button[name='action_view_visits'] .o_stat_value:contains('2')",
        },
        {
            content: "The owner is unchanged",
            trigger: `${field("owner_user_id")}:contains('${CONSULTANT}')`,
        },
        {
            content: "Open the Visits & Calls tab",
            trigger: ".o_form_view .o_notebook .nav-link[name='visits']",
            run: "click",
        },
        {
            content: "The second visit is a returning customer's (RO-3)",
            trigger: `${field("visit_ids")} .o_data_row .o_data_cell[name='rule']:contains('RO-3')`,
        },
        {
            content: "The first visit was decided by the rotation (RO-1)",
            trigger: `${field("visit_ids")} .o_data_row .o_data_cell[name='rule']:contains('RO-1')`,
        },
        {
            content: "Two visits are listed",
            trigger: `${field("visit_ids")} .o_data_row:eq(1)`,
        },
    ];
}

registry.category("web_tour.tours").add("real_estate_daily_receive_visitor", {
    steps: () => receptionSteps({ name: "林小雨", phone: "135 0000 7788" }),
});

registry.category("web_tour.tours").add("real_estate_daily_receive_visitor_zh", {
    steps: () => receptionSteps({ name: "欧阳明", phone: "135 0000 7799", chinese: true }),
});

// The app's navbar in Chinese: every section a consultant sees is translated.
registry.category("web_tour.tours").add("real_estate_daily_menus_zh", {
    steps: () => [
        ...openSalesOffice(),
        ...[
            ["real_estate_attribution.menu_reception", "Reception"],
            ["real_estate_attribution.menu_customers", "Customers"],
            ["real_estate_attribution.menu_decisions", "Decisions"],
        ].map(([xmlid, english]) => ({
            content: `The section ${english} is shown in Chinese`,
            trigger: `.o_menu_sections button[data-menu-xmlid='${xmlid}']:not(:contains('${english}'))`,
        })),
    ],
});

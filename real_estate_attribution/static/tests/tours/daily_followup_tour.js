import { registry } from "@web/core/registry";

import { field, noErrorDialog, openMenu, openSalesOffice } from "./daily_task_steps";

// Daily task 2 (consultant): log a follow-up on one of her customers; the protection restarts from it
// (PR-1). The test registered 柳如烟 for 李娜 ten days ago, without follow-up (PR-2 pending).

const CUSTOMER = "柳如烟";
const NOTE = "电话回访：客户周末带家人再来看样板间";
let endBefore = "";

registry.category("web_tour.tours").add("real_estate_daily_log_followup", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu("real_estate_attribution.menu_customers", "real_estate_attribution.menu_office_customers"),
        {
            content: "Open the customer",
            trigger: `.o_list_view .o_data_row .o_data_cell[name='name']:contains('${CUSTOMER}')`,
            run: "click",
        },
        {
            content: "The customer's protection end is shown",
            trigger: `${field("protection_end")} span:not(:empty)`,
            run() {
                endBefore = this.anchor.textContent.trim();
            },
        },
        {
            content: "Open the Protections tab",
            trigger: ".o_form_view .o_notebook .nav-link[name='protections']",
            run: "click",
        },
        {
            content: "Without follow-up, the protection lapses 30 days after the visit (PR-2)",
            trigger: `${field("protection_ids")} .o_data_row .o_data_cell[name='end_rule']:contains('PR-2')`,
        },
        {
            content: "Log a follow-up",
            trigger: ".o_form_view .o_form_statusbar button[name='action_log_followup']",
            run: "click",
        },
        {
            content: "The follow-up dialog names the customer",
            trigger: `${field("lead_id", { modal: true })}:contains('${CUSTOMER}')`,
        },
        {
            content: "Kind: meeting",
            trigger: `${field("kind", { modal: true })} select`,
            run: 'select "meeting"',
        },
        {
            content: "Write the note",
            trigger: `${field("note", { modal: true })} textarea`,
            run: `edit ${NOTE}`,
        },
        {
            content: "Save the follow-up",
            trigger: ".modal-footer button[special='save']",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal .o_form_view))",
        },
        ...noErrorDialog(),
        {
            content: "Open the Follow-ups tab",
            trigger: ".o_form_view .o_notebook .nav-link[name='followups']",
            run: "click",
        },
        {
            content: "The follow-up is listed with its note (its kind, meeting, is checked by the test)",
            trigger: `${field("followup_ids")} .o_data_row .o_data_cell[name='note']:contains('${NOTE}')`,
        },
        {
            content: "It restarted the protection (PR-1)",
            trigger: `${field("followup_ids")} .o_data_row .o_data_cell[name='protection_id']:not(:empty)`,
        },
        {
            content: "The protection end moved",
            trigger: `${field("protection_end")} span:not(:empty)`,
            run() {
                const endAfter = this.anchor.textContent.trim();
                if (!endBefore || endAfter === endBefore) {
                    throw new Error(`The protection end did not move: ${endBefore} → ${endAfter}`);
                }
            },
        },
        {
            content: "Open the Protections tab",
            trigger: ".o_form_view .o_notebook .nav-link[name='protections']",
            run: "click",
        },
        {
            content: "The protection now runs 60 days from the follow-up (PR-1)",
            trigger: `${field("protection_ids")} .o_data_row:has(.o_data_cell[name='last_followup']:not(:empty)) .o_data_cell[name='end_rule']:contains('PR-1')`,
        },
    ],
});

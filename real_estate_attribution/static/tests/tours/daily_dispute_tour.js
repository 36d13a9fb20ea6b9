import { registry } from "@web/core/registry";

import { field, noErrorDialog, openMenu, openSalesOffice, orError, saveForm } from "./daily_task_steps";

// Daily task 4: a dispute (判客申诉) claimed, escalated and decided, each step by its role (DI-1, DI-3).
// 王强 claims 沈佳怡, a customer of 李娜 (registered by the test); 孙丽 (team leader) escalates;
// 赵敏 (site manager) writes the decision note and upholds the claim.

const CUSTOMER = "沈佳怡";
const CUSTOMER_PHONE = "135 0000 6633";
const STATEMENT = "客户上周由我在售楼处接待并留了电话，本周再来时被李娜接待。";
const DECISION = "监控与来访登记核实，王强首次接待在先";
const DECISIONS = "real_estate_attribution.menu_decisions";

function stateIs(state) {
    return orError(
        `${field("state")}:has(.o_arrow_button_current[data-value='${state}'])`,
        `The dispute is at the step ${state}`
    );
}

function openInboxDispute() {
    return [
        ...openSalesOffice(),
        ...openMenu(DECISIONS, "real_estate_attribution.menu_dispute_inbox"),
        {
            content: `Open the claim on ${CUSTOMER} from the inbox`,
            trigger: `.o_list_view .o_data_row:has(.o_data_cell[name='lead_id']:contains('${CUSTOMER}')) .o_data_cell[name='name']`,
            run: "click",
        },
        {
            content: "The claim is open",
            trigger: `${field("statement")}:contains('${STATEMENT}'), ${field("statement")} textarea:value(${STATEMENT})`,
        },
    ];
}

registry.category("web_tour.tours").add("real_estate_daily_dispute_claim", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu(DECISIONS, "real_estate_attribution.menu_disputes"),
        {
            content: "New claim",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "The claim is in my name",
            trigger: `${field("claimant_user_id")}:contains('王强')`,
        },
        {
            content: "Name the customer by mobile (a colleague's customer cannot be opened)",
            trigger: `${field("customer_phone")} input`,
            run: `edit ${CUSTOMER_PHONE}`,
        },
        {
            content: "Kind: I received them first",
            trigger: `${field("kind")} select`,
            run: 'select "first_received"',
        },
        {
            content: "Write the statement",
            trigger: `${field("statement")} textarea`,
            run: `edit ${STATEMENT}`,
        },
        ...saveForm(),
        {
            content: "The claim names the customer",
            trigger: `${field("lead_id")}:contains('${CUSTOMER}')`,
        },
        {
            content: "The owner when claimed is 李娜",
            trigger: `${field("owner_before_id")}:contains('李娜')`,
        },
        {
            content: "Submit the claim",
            trigger: ".o_form_view .o_form_statusbar button[name='action_submit']",
            run: "click",
        },
        stateIs("team_leader"),
        ...noErrorDialog(),
    ],
});

registry.category("web_tour.tours").add("real_estate_daily_dispute_escalate", {
    steps: () => [
        ...openInboxDispute(),
        stateIs("team_leader"),
        {
            content: "Escalate to the managers",
            trigger: ".o_form_view .o_form_statusbar button[name='action_escalate']",
            run: "click",
        },
        stateIs("manager"),
        {
            content: "The team leader can no longer act",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_escalate']))",
        },
        ...noErrorDialog(),
    ],
});

registry.category("web_tour.tours").add("real_estate_daily_dispute_uphold", {
    steps: () => [
        ...openInboxDispute(),
        stateIs("manager"),
        {
            content: "Write the decision note",
            trigger: `${field("decision_note")} textarea`,
            run: `edit ${DECISION}`,
        },
        {
            content: "Uphold the claim",
            trigger: ".o_form_view .o_form_statusbar button[name='action_uphold']",
            run: "click",
        },
        {
            content: "Confirm: ownership and split change now",
            trigger: ".modal:has(.modal-body) .modal-footer .btn-primary",
            run: "click",
        },
        stateIs("decided"),
        {
            content: "The decision is recorded by the site manager",
            trigger: `${field("decided_by")}:contains('赵敏')`,
        },
        {
            content: "Open the customer",
            trigger: `${field("lead_id")} a`,
            run: "click",
        },
        {
            content: "王强 owns the customer now",
            trigger: `${field("owner_user_id")}:contains('王强')`,
        },
        {
            content: "The explanation names the dispute decision and its note",
            trigger: `${field("attribution_explanation")}:contains('${DECISION}'):contains('DI-1')`,
        },
        {
            content: "Open the ownership history",
            trigger: ".o_form_view .o_notebook .nav-link[name='ownership_history']",
            run: "click",
        },
        {
            content: "The history has the transfer from 李娜 to 王强 (DI-1)",
            trigger: `${field("ownership_log_ids")} .o_data_row:has(.o_data_cell[name='rule']:contains('DI-1')):has(.o_data_cell[name='old_user_id']:contains('李娜')) .o_data_cell[name='new_user_id']:contains('王强')`,
        },
        ...noErrorDialog(),
    ],
});

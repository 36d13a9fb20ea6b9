import { registry } from "@web/core/registry";

import { field, noErrorDialog, openMenu, openSalesOffice, orError } from "./daily_task_steps";

// Daily task 5: grade D (GR-3, GR-4). 李娜 drags a C customer to D on the Grade Board: it asks the manager;
// 赵敏 approves the request, then redistributes the D pool to 张伟.
// The test registered 韦思琪 for 李娜, with a follow-up on record, graded C.

const CUSTOMER = "韦思琪";
const CUSTOMERS = "real_estate_attribution.menu_customers";
const DECISIONS = "real_estate_attribution.menu_decisions";

function column(grade) {
    return `.o_kanban_renderer .o_kanban_group:has(.o_column_title:contains('${grade}'))`;
}

registry.category("web_tour.tours").add("real_estate_daily_grade_d_request", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu(CUSTOMERS, "real_estate_attribution.menu_grade_board"),
        {
            content: "The customer is in column C",
            trigger: `${column("C")} .o_kanban_record:contains('${CUSTOMER}')`,
        },
        {
            content: "Nothing is requested yet",
            trigger: `${column("C")} .o_kanban_record:contains('${CUSTOMER}'):not(:has(.o_grade_d_pending))`,
        },
        {
            content: "Drag the customer to D",
            trigger: `${column("C")} .o_kanban_record:contains('${CUSTOMER}')`,
            async run(helpers) {
                // dropped on the middle of the column: the top of an empty column is its sticky header
                await helpers.drag_and_drop(column("D"), { position: "center", relative: true });
            },
        },
        {
            content: "The board says the manager must approve (GR-3)",
            trigger: ".o_notification:contains('GR-3')",
        },
        {
            content: "The card went back to C and shows the request",
            trigger: `${column("C")} .o_kanban_record:contains('${CUSTOMER}') .o_grade_d_pending`,
        },
        {
            content: "The card is not in D",
            trigger: `${column("D")}:not(:has(.o_kanban_record:contains('${CUSTOMER}')))`,
        },
        ...noErrorDialog(),
    ],
});

registry.category("web_tour.tours").add("real_estate_daily_grade_d_approve", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu(DECISIONS, "real_estate_attribution.menu_grade_requests"),
        {
            content: "The request shows the follow-ups on record",
            trigger: `.o_list_view .o_data_row:has(.o_data_cell[name='lead_id']:contains('${CUSTOMER}')) .o_data_cell[name='followup_count']:contains('1')`,
        },
        {
            content: "Approve the request",
            trigger: `.o_list_view .o_data_row:has(.o_data_cell[name='lead_id']:contains('${CUSTOMER}')) button[name='action_approve']`,
            run: "click",
        },
        orError(
            `.o_list_view:not(:has(.o_data_row .o_data_cell[name='lead_id']:contains('${CUSTOMER}')))`,
            "The approved request leaves the list of pending requests"
        ),
        ...noErrorDialog(),
    ],
});

registry.category("web_tour.tours").add("real_estate_daily_redistribute_pool", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu(DECISIONS, "real_estate_attribution.menu_redistribute_pool"),
        {
            content: "The wizard lists the D customer",
            trigger: `${field("lead_ids", { modal: true })} .o_data_row:contains('${CUSTOMER}')`,
        },
        {
            content: "The office is 滨江壹号",
            trigger: `${field("team_id", { modal: true })} input`,
            run() {
                if (!this.anchor.value.includes("滨江壹号")) {
                    throw new Error(`The wizard's office is ${this.anchor.value}`);
                }
            },
        },
        ...["李娜", "王强", "刘洋", "陈静"].map((name) => ({
            content: `${name} does not take D customers this time`,
            trigger: `${field("user_ids", { modal: true })} .o_tag:contains('${name}') .o_delete`,
            run: "click",
        })),
        {
            content: "Only 张伟 takes them",
            trigger: `${field("user_ids", { modal: true })}:has(.o_tag:contains('张伟')):not(:has(.o_tag:contains('李娜')))`,
        },
        {
            content: "Redistribute",
            trigger: ".modal-footer button[name='action_redistribute']",
            run: "click",
        },
        orError(".o_notification:contains('GR-4')", "The customers are redistributed (GR-4)"),
        {
            content: "The wizard closed",
            trigger: "body:not(:has(.modal .o_form_view))",
        },
    ],
});

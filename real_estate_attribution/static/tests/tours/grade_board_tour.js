import { registry } from "@web/core/registry";

// GR-1 to GR-3: a consultant drags a customer between grade columns; a drop into D asks the manager instead.
registry.category("web_tour.tours").add("real_estate_grade_board_tour", {
    url: "/odoo/action-real_estate_attribution.crm_lead_action_grade_board",
    steps: () => [
        {
            content: "The board shows the overdue call-back",
            trigger: ".o_kanban_record:contains('甲客户') .o_grade_overdue",
        },
        {
            content: "Drag the C customer to B",
            trigger: ".o_kanban_group:has(.o_column_title:contains('C')) .o_kanban_record:contains('甲客户')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('B')))",
        },
        {
            content: "The customer is now in B",
            trigger: ".o_kanban_group:has(.o_column_title:contains('B')) .o_kanban_record:contains('甲客户')",
        },
        {
            content: "Drag another C customer to D",
            trigger: ".o_kanban_group:has(.o_column_title:contains('C')) .o_kanban_record:contains('乙客户')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('D')))",
        },
        {
            content: "The D drop became a request: the card is back in C, marked as requested",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains('C')) .o_kanban_record:contains('乙客户') .o_grade_d_pending",
        },
        {
            content: "Column D holds no card the server did not store",
            trigger: ".o_kanban_group:has(.o_column_title:contains('D')):not(:has(.o_kanban_record:contains('乙客户')))",
        },
    ],
});

import { registry } from "@web/core/registry";

// A newcomer opens the office's customers and finds, on a customer, its owner,
// protection end, rule and explanation.
registry.category("web_tour.tours").add("real_estate_attribution_lead_tour", {
    url: "/odoo/action-real_estate_attribution.crm_lead_action_sales_office",
    steps: () => [
        {
            content: "Open the customer registered by the test",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='name']:contains('巡检客户')",
            run: "click",
        },
        {
            content: "The owner is shown",
            trigger: ".o_form_view div[name='attribution'] .o_field_widget[name='owner_user_id']:contains('Tour Consultant')",
        },
        {
            content: "The rule is shown",
            trigger: ".o_form_view .o_field_widget[name='attribution_rule']:contains('RO-1')",
        },
        {
            content: "The protection end is shown",
            trigger: ".o_form_view .o_field_widget[name='protection_end'] :not(:empty)",
        },
        {
            content: "The explanation is shown",
            trigger: ".o_form_view .o_field_widget[name='attribution_explanation']:contains('owns this customer')",
        },
    ],
});

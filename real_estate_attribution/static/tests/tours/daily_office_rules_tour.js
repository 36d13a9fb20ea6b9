import { registry } from "@web/core/registry";

import { field, openMenu, openSalesOffice, saveForm } from "./daily_task_steps";

// Daily task 3 (site manager): change a rule parameter of the office, on the office's
// "Sales Office Rules" tab (PR-1: the visit protection days).

registry.category("web_tour.tours").add("real_estate_daily_office_rules", {
    steps: () => [
        ...openSalesOffice(),
        ...openMenu("real_estate_attribution.menu_office_config", "real_estate_attribution.menu_sales_offices_config"),
        {
            content: "Open the office 滨江壹号",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='name']:contains('滨江壹号')",
            run: "click",
        },
        {
            content: "Open the tab Sales Office Rules",
            trigger: ".o_form_view .o_notebook .nav-link[name='sales_office_rules']",
            run: "click",
        },
        {
            content: "The site manager may edit the rules: the visit protection (60 days, PR-1) is an input",
            trigger: `${field("visit_protection_days")} input:value(60)`,
        },
        {
            content: "Set the visit protection to 45 days",
            trigger: `${field("visit_protection_days")} input`,
            run: "edit 45",
        },
        ...saveForm(),
        {
            content: "The office keeps 45 days",
            trigger: `${field("visit_protection_days")} input:value(45)`,
        },
    ],
});

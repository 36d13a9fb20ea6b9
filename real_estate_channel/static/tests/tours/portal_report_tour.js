import { registry } from "@web/core/registry";

// An agent (全民经纪) reports a customer from the portal and reads the decision at once.
function inTwoDays() {
    const day = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}T10:00`;
}

registry.category("web_tour.tours").add("real_estate_channel_portal_report_tour", {
    url: "/my/reports",
    steps: () => [
        {
            content: "Open the report form",
            trigger: "a.o_report_new",
            run: "click",
        },
        {
            content: "Enter the customer's name",
            trigger: "form.o_report_form input[name='customer_name']",
            run: "edit 王小明",
        },
        {
            content: "Enter the customer's mobile",
            trigger: "form.o_report_form input[name='phone']",
            run: "edit 13512340000",
        },
        {
            content: "Enter the expected visit (datetime-local inputs are not typed into)",
            trigger: "form.o_report_form input[name='expected_visit']",
            run() {
                this.anchor.value = inTwoDays();
            },
        },
        {
            content: "Choose the sales office",
            trigger: "form.o_report_form select[name='team_id']",
            run: "selectByLabel Portal Tour Office",
        },
        {
            content: "Submit the report",
            trigger: "form.o_report_form button.o_report_submit",
            run: "click",
        },
        {
            content: "The report is shown with its state",
            trigger: ".o_report_detail .o_report_state:contains('Valid')",
        },
        {
            content: "The reason is shown",
            trigger: ".o_report_detail .o_report_message:contains('Report accepted')",
        },
        {
            content: "The customer is the one entered",
            trigger: ".o_report_detail dd:contains('王小明')",
        },
    ],
});

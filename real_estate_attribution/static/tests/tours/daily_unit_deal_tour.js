import { registry } from "@web/core/registry";

import { field, noErrorDialog, openMenu, openSalesOffice, orError } from "./daily_task_steps";

// Daily task (UC-2 to UC-5): the consultant requests a hold on the 销控表 for her customer; the sales
// manager confirms it on the chart once the customer handed over the subscription money, records the
// deposit and signs. The test made the building 验收楼 and registered 苏青 for 李娜.

const BUILDING = "验收楼";
const UNIT = "101";
const CUSTOMER = "苏青";
// The unit's cell on the chart of the building (the demo's buildings have a unit 101 too).
const CELL = `.o_unit_grid_table[data-building='${BUILDING}'] td.o_unit_cell[data-unit='${UNIT}']`;

function openChart({ viaBuilding = false } = {}) {
    // a consultant opens the chart and chooses the building; a sales manager goes through Units › Buildings
    // to the building's own chart (it opens on the building: nothing to choose)
    const steps = viaBuilding
        ? [
              ...openMenu("real_estate_attribution.menu_units", "real_estate_attribution.menu_buildings"),
              {
                  content: `Open the building ${BUILDING}`,
                  trigger: `.o_list_view .o_data_row td[name='name']:contains(${BUILDING})`,
                  run: "click",
              },
              {
                  content: "Open its unit control chart",
                  trigger: ".o_form_view .o_form_statusbar button[name='action_view_grid']",
                  run: "click",
              },
          ]
        : [
              ...openMenu("real_estate_attribution.menu_units", "real_estate_attribution.menu_unit_grid"),
              {
                  content: `Choose the building ${BUILDING}`,
                  trigger: ".o_unit_grid_building",
                  run: `selectByLabel ${BUILDING}`,
              },
          ];
    return [
        ...openSalesOffice(),
        ...steps,
        {
            content: "The chart shows the building's floors",
            trigger: CELL,
        },
    ];
}

function confirmDialog(content) {
    return [
        {
            content,
            trigger: ".modal-footer button[name='action_apply']",
            run: "click",
        },
        orError("body:not(:has(.modal))", `${content}: the dialog closes`),
    ];
}

registry.category("web_tour.tours").add("real_estate_daily_unit_request_hold", {
    steps: () => [
        ...openChart(),
        {
            content: "The unit is available (green)",
            trigger: `${CELL}.o_unit_state_available`,
            run: "click",
        },
        {
            content: "Request a hold",
            trigger: ".o_form_view .o_form_statusbar button[name='action_request_hold']",
            run: "click",
        },
        {
            content: "Choose the customer",
            trigger: `.modal ${field("lead_id")} input`,
            run: `edit ${CUSTOMER}`,
        },
        {
            content: "Pick the customer in the list",
            trigger: `.ui-autocomplete a:contains('${CUSTOMER}')`,
            run: "click",
        },
        ...confirmDialog("Send the request"),
        {
            content: "The request is on the unit; only the sales manager confirms it",
            trigger: `${field("reservation_id")} a, ${field("reservation_id")} span:not(:empty)`,
        },
        {
            content: "A consultant cannot confirm the hold",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name='action_confirm_hold']))",
        },
        ...noErrorDialog(),
    ],
});

registry.category("web_tour.tours").add("real_estate_daily_unit_confirm_and_sign", {
    steps: () => [
        ...openChart({ viaBuilding: true }),
        {
            content: "The unit shows the consultant's request",
            trigger: `${CELL} .o_unit_requested`,
        },
        {
            content: "Open the unit from the chart",
            trigger: CELL,
            run: "click",
        },
        {
            content: "Confirm the hold",
            trigger: ".o_form_view .o_form_statusbar button[name='action_confirm_hold']",
            run: "click",
        },
        {
            content: "The customer handed over the subscription money",
            trigger: `.modal ${field("handed_over")} input[data-value='money']`,
            run: "click",
        },
        ...confirmDialog("Hold the unit"),
        {
            content: "The unit is reserved",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='reserved']",
        },
        {
            content: "Record the deposit",
            trigger: ".o_form_view .o_form_statusbar button[name='action_record_deposit']",
            run: "click",
        },
        {
            content: "The deposit: 50,000",
            trigger: `.modal ${field("amount")} input`,
            run: "edit 50000",
        },
        {
            content: "The payment reference",
            trigger: `.modal ${field("payment_ref")} input`,
            run: "edit POS-20261202",
        },
        ...confirmDialog("Record it"),
        {
            content: "The unit is subscribed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='subscribed']",
        },
        {
            content: "Sign the contract",
            trigger: ".o_form_view .o_form_statusbar button[name='action_sign']",
            run: "click",
        },
        {
            content: "The contract amount",
            trigger: `.modal ${field("contract_amount")} input`,
            run: "edit 2380000",
        },
        ...confirmDialog("Sign"),
        {
            content: "The unit is signed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='signed']",
        },
        {
            content: "Back to the chart",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Unit Control Chart)",
            run: "click",
        },
        {
            content: "The chart shows the unit signed",
            trigger: `${CELL}.o_unit_state_signed`,
        },
        ...noErrorDialog(),
    ],
});

/**
 * Steps shared by the daily-task tours of the Sales Office app (one tour per task and role).
 *
 * Selectors rely on structure (menu xmlids, field and button names), never on English labels,
 * so that the tours also run for users who work in Chinese.
 */

export const ROOT_MENU = "real_estate_attribution.menu_sales_office_root";

/** Open the Sales Office app from the apps menu of the navbar. */
export function openSalesOffice() {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Sales Office app",
            trigger: `.o-dropdown--menu .o_app[data-menu-xmlid='${ROOT_MENU}']`,
            run: "click",
        },
        {
            content: "The Sales Office app is open",
            trigger: `.o_main_navbar .o_menu_brand[data-menu-xmlid='${ROOT_MENU}']`,
        },
    ];
}

/** Open a menu item of a section of the app's navbar (both given by xmlid). */
export function openMenu(section, item) {
    return [
        {
            content: `Open the section ${section}`,
            trigger: `.o_menu_sections button[data-menu-xmlid='${section}']`,
            run: "click",
        },
        {
            content: `Open ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item[data-menu-xmlid='${item}']`,
            run: "click",
        },
    ];
}

/** The selector of a field's widget in the form view (in a dialog when ``modal``). */
export function field(name, { modal = false } = {}) {
    return `${modal ? ".modal " : ""}.o_form_view .o_field_widget[name='${name}']`;
}

/**
 * A step that waits for ``trigger``, or fails at once with the text of the error dialog the server's
 * answer opened instead (an access error, a validation error, a traceback).
 */
export function orError(trigger, content) {
    return {
        content,
        trigger: `${trigger}, .o_error_dialog`,
        run() {
            const dialog = this.anchor.closest(".o_error_dialog");
            if (dialog) {
                const text = (dialog.querySelector(".modal-body") || dialog).textContent.trim();
                throw new Error(`${content}: the server answered with an error: ${text.slice(0, 1500)}`);
            }
        },
    };
}

/** Save the form view and wait until it is saved. */
export function saveForm() {
    return [
        {
            content: "Save",
            trigger: ".o_form_view .o_form_button_save:enabled",
            run: "click",
        },
        orError(".o_form_view .o_form_renderer.o_form_saved", "The record is saved"),
    ];
}

/** No error dialog is open (a server error would show one). */
export function noErrorDialog() {
    return [
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ];
}

import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("crm_claim_closing_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open After Sale",
            trigger: ".o_menu_sections [data-menu-xmlid='crm_claim.menu_aftersale']",
            run: "click",
        },
        {
            content: "Open the claims list",
            trigger: ".dropdown-item[data-menu-xmlid='crm_claim.menu_crm_case_claims']",
            run: "click",
        },
        {
            content: "Open the tour's claim",
            trigger:
                ".o_data_row td[name='name']:contains('Tour: parcel arrived broken')",
            run: "click",
        },
        {
            content: "An open claim shows no closing date",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='date_closed']))",
        },
        {
            content: "Settle the claim",
            trigger: ".o_statusbar_status button:contains('Settled')",
            run: "click",
        },
        {
            content: "The closing date appears",
            trigger: ".o_field_widget[name='date_closed'] span:not(:empty)",
        },
        {
            content: "Reopen it",
            trigger: ".o_statusbar_status button:contains('In Progress')",
            run: "click",
        },
        {
            content: "The closing date is gone",
            trigger: ".o_form_view:not(:has(.o_field_widget[name='date_closed']))",
        },
        {
            content: "The claim is in progress again",
            trigger:
                ".o_statusbar_status button[aria-checked='true']:contains('In Progress')",
        },
    ],
});

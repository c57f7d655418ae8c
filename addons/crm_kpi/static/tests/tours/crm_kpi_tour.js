import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("crm_kpi_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open Reporting",
            trigger: ".o_menu_sections [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open the before/after comparison",
            trigger:
                ".dropdown-item[data-menu-xmlid='crm_kpi.crm_kpi_comparison_menu']",
            run: "click",
        },
        {
            content: "Every KPI has a row",
            trigger: ".modal .o_data_row:contains('Retention rate')",
        },
        {
            trigger: ".modal .o_data_row:contains('Complaint rate')",
        },
        {
            content: "No history yet: each row warns it is not reliable",
            trigger: ".modal .o_data_row:contains('Fewer than 6 months')",
        },
        {
            content: "Close",
            trigger: ".modal-footer button:contains('Close')",
            run: "click",
        },
    ],
});

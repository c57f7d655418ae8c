import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_utils";

const RETENTION = ".o_data_row:has(td[name='kpi_code']:contains('Retention rate'))";

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
            trigger: `.o_form_view ${RETENTION}`,
        },
        {
            content: "The formula shows as a tooltip of the KPI",
            trigger: `${RETENTION} td[name='kpi_code'] [data-tooltip*='customer base at the start']`,
        },
        {
            trigger: ".o_form_view .o_data_row:contains('Complaint rate')",
        },
        {
            content: "Three months on each side: the row warns it is not reliable",
            trigger: `${RETENTION}:contains('(3 before, 3 after)')`,
        },
        {
            content: "Open the months behind the baseline mean",
            trigger: `${RETENTION} button[name='action_open_baseline']`,
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains('Retention rate: months before go-live')",
        },
        {
            content: "The three baseline months are listed",
            trigger: ".o_list_view .o_data_row:eq(2):contains('96.00')",
        },
        {
            content: "A month opens the customers behind it",
            trigger:
                ".o_list_view .o_data_row:eq(0) button[name='action_open_details']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Customers')",
        },
        {
            content: "Back to the comparison",
            trigger:
                ".o_breadcrumb .breadcrumb-item:contains('Before / After Go-live')",
            run: "click",
        },
        {
            content: "The cohort table",
            trigger: ".o_notebook .nav-link:contains('Cohort Retention')",
            run: "click",
        },
        {
            content: "A cohort row opens its customers",
            trigger:
                ".o_data_row:contains('Average before go-live') button[name='action_open_customers']",
            run: "click",
        },
        {
            trigger:
                ".o_breadcrumb .active:contains('Customers first invoiced before go-live')",
        },
        {
            trigger:
                ".o_breadcrumb .breadcrumb-item:contains('Before / After Go-live')",
            run: "click",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Comparison')",
            run: "click",
        },
        {
            content: "Open the chart of every month of the comparison",
            trigger: `.o_form_view ${RETENTION} button[name='action_open_trend']`,
            run: "click",
        },
        {
            trigger:
                ".o_breadcrumb:contains('Retention rate: before and after go-live')",
        },
        {
            content: "The trend chart of the KPI, with the go-live marked",
            trigger:
                ".o_crm_kpi_trend_chart[data-kpi='retention_rate'] canvas[data-markers*='go_live']",
        },
        {
            trigger: ".o_menu_sections [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            content: "Open the recompute wizard",
            trigger: ".dropdown-item[data-menu-xmlid='crm_kpi.crm_kpi_recompute_menu']",
            run: "click",
        },
        {
            content: "It shows how far the recompute in the background is",
            trigger:
                ".modal .alert-info:contains('running in the background') .o_progressbar_value:contains('18')",
        },
        {
            trigger: ".modal-footer button:contains('Refresh')",
            run: "click",
        },
        {
            trigger: ".modal .alert-info .o_progressbar",
        },
        {
            content: "Close",
            trigger: ".modal-footer button:contains('Close')",
            run: "click",
        },
    ],
});

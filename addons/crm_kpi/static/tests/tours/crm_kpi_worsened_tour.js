import {registry} from "@web/core/registry";
import {openReportingMenu} from "./crm_kpi_tour_utils";

const ACTIVE = ".o_data_row:has(td[name='kpi_code']:contains('Active customers'))";

/**
 * Issue 15's tour (test_ui_issue15): the comparison, a worsened KPI shown
 * red, the months behind its after mean, Details of the last month, and
 * the list of as many customers as the month counts.
 */
registry.category("web_tour.tours").add("crm_kpi_worsened_tour", {
    url: "/odoo",
    steps: () => [
        ...openReportingMenu("crm_kpi.crm_kpi_comparison_menu"),
        {
            content: "Fewer active customers after go-live: a worsening, in red",
            trigger: `.o_form_view ${ACTIVE}.text-danger`,
        },
        {
            content: "Open the months behind the after mean",
            trigger: `${ACTIVE} button[name='action_open_after']`,
            run: "click",
        },
        {
            content: "The last month counts 3 active customers",
            trigger: ".o_list_view .o_data_row:eq(0) td[name='value']:contains('3.00')",
        },
        {
            content: "Its Details",
            trigger:
                ".o_list_view .o_data_row:eq(0) button[name='action_open_details']",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('Customers')",
        },
        {
            content: "The list has the same count: 3 customers",
            trigger: ".o_list_view:has(.o_data_row:eq(2)):not(:has(.o_data_row:eq(3)))",
        },
    ],
});

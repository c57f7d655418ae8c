import {registry} from "@web/core/registry";
import {openReportingMenu} from "./crm_kpi_tour_utils";

const CHART = ".o_crm_kpi_trend_chart";

/**
 * The trend chart from the menu: the retention rate as one line with a gap
 * where a month has no value, the go-live and the transition drawn on the
 * month axis, the baseline and after means listed; then another KPI.
 */
registry.category("web_tour.tours").add("crm_kpi_trend_tour", {
    url: "/odoo",
    steps: () => [
        ...openReportingMenu("crm_kpi.crm_kpi_snapshot_menu"),
        {
            content: "Seven months, one of them without a value: a gap, not 0",
            trigger: `${CHART}[data-kpi='retention_rate'][data-months='7'][data-gaps='1']`,
        },
        {
            content: "The chart is drawn, with the go-live and the transition",
            trigger: `${CHART} canvas[data-markers='transition go_live']`,
        },
        {
            content: "The means are those of the comparison",
            trigger: `${CHART}[data-baseline-mean='92'][data-after-mean='96.5']`,
        },
        {
            trigger: ".o_crm_kpi_trend_legend [data-legend='go_live']",
        },
        {
            trigger:
                ".o_crm_kpi_trend_legend [data-legend='transition']:contains('Transition: 1 ')",
        },
        {
            trigger: ".o_crm_kpi_trend_legend [data-legend='baseline']:contains('92')",
        },
        {
            trigger: ".o_crm_kpi_trend_legend [data-legend='after']:contains('96.5')",
        },
        {
            content: "Another KPI, without any snapshot",
            trigger: "select.o_crm_kpi_trend_kpi",
            run: "select churn_rate",
        },
        {
            trigger: ".o_crm_kpi_trend .o_view_nocontent",
        },
    ],
});

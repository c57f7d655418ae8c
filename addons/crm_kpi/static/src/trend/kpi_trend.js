/* global Chart */
import {
    Component,
    onWillStart,
    onWillUnmount,
    useEffect,
    useRef,
    useState,
} from "@odoo/owl";
import {loadBundle} from "@web/core/assets";
import {formatDate} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";
import {
    formatKpiValue,
    meanLabels,
    swatchStyle,
    trendChartConfig,
} from "./kpi_trend_chart";

const {DateTime} = luxon;

/**
 * The trend chart of a KPI (client action `crm_kpi_trend`): the KPI chosen,
 * for all customers or one segment, as one line over the months (a month
 * without a value is a gap), with the go-live and the transition marked on
 * the month axis and the baseline and after means of the comparison.
 * The action's params may give kpi_code, segment_type and segment_value.
 */
export class KpiTrend extends Component {
    static template = "crm_kpi.KpiTrend";
    static components = {Layout};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.canvasRef = useRef("canvas");
        const params = this.props.action.params || {};
        this.state = useState({
            kpiCode: params.kpi_code || "retention_rate",
            segmentType: params.segment_type || "all",
            segmentValue: params.segment_value || "all",
            segments: [],
            trend: null,
        });
        this.chart = null;
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            const [catalogue, fields] = await Promise.all([
                this.orm.call("crm.kpi.snapshot", "get_kpi_catalogue", []),
                this.orm.call("crm.kpi.snapshot", "fields_get", [["segment_type"]], {
                    attributes: ["selection"],
                }),
            ]);
            this.catalogue = catalogue;
            this.segmentTypes = fields.segment_type.selection;
            await this.loadSegments();
            await this.loadTrend();
        });
        useEffect(
            () => this.renderChart(),
            () => [this.state.trend]
        );
        onWillUnmount(() => this.chart?.destroy());
    }

    get trend() {
        return this.state.trend;
    }

    get hasValues() {
        return this.trend.values.some((value) => value !== null);
    }

    /** Data attributes of the chart, for tests and tools. */
    get chartAttributes() {
        const trend = this.trend;
        return {
            kpi: trend.kpi.code,
            months: trend.months.length,
            gaps: trend.values.filter((value) => value === null).length,
            goLive: trend.go_live || "",
            afterStart: trend.after_start || "",
            baselineMean: trend.baseline ? trend.baseline.mean : "",
            afterMean: trend.after ? trend.after.mean : "",
        };
    }

    formatValue(value) {
        return formatKpiValue(value, this.trend.kpi.unit);
    }

    /**
     * The legend above the chart: the KPI's line, the markers and the
     * means, each with a swatch drawn as on the chart.
     */
    get legend() {
        const trend = this.trend;
        const items = [{key: "kpi", swatch: swatchStyle("kpi"), text: trend.kpi.name}];
        if (trend.go_live) {
            items.push({
                key: "go_live",
                swatch: swatchStyle("go_live"),
                text: _t("Go-live: %(date)s", {
                    date: formatDate(DateTime.fromISO(trend.go_live_date)),
                }),
            });
        }
        if (trend.go_live && trend.transition_months) {
            items.push({
                key: "transition",
                swatch: swatchStyle("transition"),
                text: _t("Transition: %(months)s months from %(month)s", {
                    months: trend.transition_months,
                    month: DateTime.fromISO(trend.go_live).toFormat("LLLL yyyy"),
                }),
            });
        }
        for (const [key, label] of meanLabels()) {
            if (trend[key]) {
                items.push({
                    key,
                    swatch: swatchStyle(key),
                    text: _t("%(label)s: %(mean)s (%(months)s months)", {
                        label,
                        mean: this.formatValue(trend[key].mean),
                        months: trend[key].months,
                    }),
                });
            }
        }
        return items;
    }

    async loadSegments() {
        if (this.state.segmentType === "all") {
            this.state.segments = [];
            this.state.segmentValue = "all";
            return;
        }
        this.state.segments = await this.orm.call(
            "crm.kpi.snapshot",
            "get_trend_segments",
            [this.state.segmentType]
        );
        const values = this.state.segments.map((segment) => segment.value);
        if (!values.includes(this.state.segmentValue)) {
            this.state.segmentValue = values.length ? values[0] : "";
        }
    }

    async loadTrend() {
        this.state.trend = await this.orm.call("crm.kpi.snapshot", "get_trend", [
            this.state.kpiCode,
            this.state.segmentType,
            this.state.segmentValue,
        ]);
    }

    async onKpiChange(ev) {
        this.state.kpiCode = ev.target.value;
        await this.loadTrend();
    }

    async onSegmentTypeChange(ev) {
        this.state.segmentType = ev.target.value;
        await this.loadSegments();
        await this.loadTrend();
    }

    async onSegmentChange(ev) {
        this.state.segmentValue = ev.target.value;
        await this.loadTrend();
    }

    renderChart() {
        this.chart?.destroy();
        this.chart = null;
        if (!this.canvasRef.el) {
            return;
        }
        const labels = this.trend.months.map((month) =>
            DateTime.fromISO(month).toFormat("LLL yyyy")
        );
        this.chart = new Chart(this.canvasRef.el, trendChartConfig(this.trend, labels));
    }
}

registry.category("actions").add("crm_kpi_trend", KpiTrend);

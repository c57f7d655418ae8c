import {_t} from "@web/core/l10n/translation";
import {formatFloat} from "@web/core/utils/numbers";

const KPI_COLOR = "#017e84";
const BASELINE_COLOR = "#6c757d";
const AFTER_COLOR = "#714b67";
const MARKER_COLOR = "#343a40";
const TRANSITION_FILL = "rgba(255, 193, 7, 0.18)";

/** The baseline and after means: [key, label]. */
export function meanLabels() {
    return [
        ["baseline", _t("Baseline mean")],
        ["after", _t("After mean")],
    ];
}

/** The CSS of a legend swatch, drawn as its line or band on the chart. */
export function swatchStyle(key) {
    const line = (style, color) => `border-top: 2px ${style} ${color};`;
    return {
        kpi: line("solid", KPI_COLOR),
        go_live: `border-left: 2px dashed ${MARKER_COLOR}; height: 1em;`,
        transition: `background: ${TRANSITION_FILL}; height: 1em;`,
        baseline: line("dashed", BASELINE_COLOR),
        after: line("dashed", AFTER_COLOR),
    }[key];
}

/** A KPI value as the screens show it: two decimals, "%" for a rate. */
export function formatKpiValue(value, unit) {
    const text = formatFloat(value, {digits: [16, 2]});
    return unit === "percent" ? `${text} %` : text;
}

/**
 * Where the markers stand, as (fractional) positions on the month axis:
 * the go-live line half a month before the go-live month, the transition
 * band from there to half a month before the first month after it (to the
 * end of the axis when that month is not on it yet).
 */
export function markerPositions(trend) {
    const goLive = trend.go_live ? trend.months.indexOf(trend.go_live) : -1;
    if (goLive < 0) {
        return null;
    }
    let afterStart = trend.months.indexOf(trend.after_start);
    if (afterStart < 0) {
        afterStart = trend.months.length;
    }
    return {goLive: goLive - 0.5, transitionEnd: afterStart - 0.5};
}

/** The values of a mean line: the mean over its months, nothing elsewhere. */
function meanData(trend, line) {
    return trend.months.map((month) =>
        line && month >= line.first && month <= line.last ? line.mean : null
    );
}

function meanDataset(trend, line, label, color) {
    return {
        label,
        data: meanData(trend, line),
        borderColor: color,
        backgroundColor: color,
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        pointHoverRadius: 0,
        spanGaps: false,
        fill: false,
    };
}

/** The datasets: the KPI as one line (a month without a value is a gap),
 * then the baseline and after means. */
export function trendDatasets(trend) {
    const datasets = [
        {
            label: trend.kpi.name,
            data: trend.values,
            borderColor: KPI_COLOR,
            backgroundColor: KPI_COLOR,
            borderWidth: 2,
            pointRadius: 3,
            spanGaps: false,
            tension: 0,
            fill: false,
        },
    ];
    const colors = {baseline: BASELINE_COLOR, after: AFTER_COLOR};
    for (const [key, label] of meanLabels()) {
        if (trend[key]) {
            datasets.push(meanDataset(trend, trend[key], label, colors[key]));
        }
    }
    return datasets;
}

function drawLabel(ctx, text, x, y) {
    ctx.save();
    ctx.fillStyle = MARKER_COLOR;
    ctx.font = "12px sans-serif";
    ctx.textBaseline = "top";
    ctx.fillText(text, x + 4, y + 4);
    ctx.restore();
}

/**
 * An inline Chart.js plugin that draws the go-live line and the transition
 * band on the month axis (behind the lines), and records on the canvas
 * which markers it drew (data-markers).
 */
export const markersPlugin = {
    id: "crmKpiMarkers",
    beforeDatasetsDraw(chart, args, options) {
        const positions = options.positions;
        const drawn = [];
        if (positions) {
            const {ctx, chartArea} = chart;
            const x = chart.scales.x;
            const left = Math.max(x.getPixelForValue(positions.goLive), chartArea.left);
            const right = Math.min(
                x.getPixelForValue(positions.transitionEnd),
                chartArea.right
            );
            if (right > left) {
                ctx.save();
                ctx.fillStyle = TRANSITION_FILL;
                ctx.fillRect(left, chartArea.top, right - left, chartArea.height);
                ctx.restore();
                drawLabel(ctx, options.transitionLabel, left, chartArea.top - 18);
                drawn.push("transition");
            }
            ctx.save();
            ctx.strokeStyle = MARKER_COLOR;
            ctx.lineWidth = 2;
            ctx.setLineDash([4, 3]);
            ctx.beginPath();
            ctx.moveTo(left, chartArea.top);
            ctx.lineTo(left, chartArea.bottom);
            ctx.stroke();
            ctx.restore();
            drawLabel(ctx, options.goLiveLabel, left, chartArea.top - 34);
            drawn.push("go_live");
        }
        chart.canvas.dataset.markers = drawn.join(" ");
    },
};

/** The Chart.js configuration of a trend (see crm.kpi.snapshot.get_trend). */
export function trendChartConfig(trend, labels) {
    const unit = trend.kpi.unit;
    return {
        type: "line",
        data: {labels, datasets: trendDatasets(trend)},
        options: {
            maintainAspectRatio: false,
            // room above the plot for the markers' labels
            layout: {padding: {top: 36}},
            animation: false,
            interaction: {mode: "index", intersect: false},
            scales: {
                y: {
                    ticks: {callback: (value) => formatKpiValue(value, unit)},
                },
            },
            plugins: {
                // the legend is above the chart, with the markers'
                legend: {display: false},
                tooltip: {
                    filter: (item) => item.raw !== null,
                    callbacks: {
                        label: (item) =>
                            `${item.dataset.label}: ${formatKpiValue(item.raw, unit)}`,
                    },
                },
                crmKpiMarkers: {
                    positions: markerPositions(trend),
                    goLiveLabel: _t("Go-live"),
                    transitionLabel: _t("Transition"),
                },
            },
        },
        plugins: [markersPlugin],
    };
}

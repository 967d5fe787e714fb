import { xAxis, yAxis } from "./axis.js";
import { dataScale, horizontalTicks } from "./data-scale.js";
import { escapeMarkup } from "./escape.js";
import { type Box, emptyChart, FONT_SIZE, line, MUTED, num, svgRoot, text } from "./frame.js";
import { type LegendItem, legend } from "./legend.js";
import { type Marker, marker } from "./marker.js";
import type { ScatterAxis } from "./scatter.js";

export interface CurvePoint {
  x: number;
  y: number;
  tip: string;
  /** Drawn hollow: a point that failed what the chart is about (a step that broke the SLO). */
  hollow?: boolean;
  /** An interval around y (a confidence interval), drawn as a shaded band along the series. */
  band?: { low: number; high: number };
}

export interface CurveSeries {
  label: string;
  color: string;
  marker: Marker;
  /** A second line of the same series (its p50 beside its p99) is drawn dashed. */
  dashed?: boolean;
  /** Whether the legend names it; more lines of one kind (one per round) need it once. */
  inLegend: boolean;
  /** Joined in order of x. */
  points: readonly CurvePoint[];
}

export interface CurveChart {
  label: string;
  x: ScatterAxis;
  y: ScatterAxis;
  series: readonly CurveSeries[];
  /** A horizontal line across the plot at this y (an SLO), with its label. */
  reference?: { y: number; label: string };
  /** Vertical ticks along the x axis (each mode's capacity), in their series' colour. */
  marks?: readonly { x: number; color: string; tip: string }[];
  empty: string;
}

const WIDTH = 640;
const PLOT_HEIGHT = 280;
const SIZE = 8;

/** Lines through (x, y) points, one per series, on two value axes, with a legend below. */
export function curveChart(chart: CurveChart): string {
  const points = chart.series.flatMap((s) => s.points);
  const box: Box = { left: 76, right: WIDTH - 24, top: 16, bottom: 16 + PLOT_HEIGHT };
  const ys = [
    ...points.flatMap((p) => [p.y, ...(p.band ? [p.band.low, p.band.high] : [])]),
    ...(chart.reference ? [chart.reference.y] : []),
  ];
  const across = dataScale(
    points.map((p) => p.x),
    chart.x.scale,
    [box.left, box.right],
  );
  const x = across && horizontalTicks(across, chart.x.scale, chart.x.format);
  const y = dataScale(ys, chart.y.scale, [box.bottom, box.top]);
  if (points.length === 0 || !x || !y) return emptyChart(WIDTH, chart.label, chart.empty);
  const curves = chart.series.map((series) => {
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const path = sorted
      .map((p, i) => `${i === 0 ? "M" : "L"}${num(x.at(p.x))} ${num(y.at(p.y))}`)
      .join(" ");
    const dash = series.dashed ? ` stroke-dasharray="5 4"` : "";
    const banded = sorted.filter((p) => p.band);
    const band =
      banded.length > 1
        ? `<path class="band" d="${[
            ...banded.map(
              (p, i) => `${i === 0 ? "M" : "L"}${num(x.at(p.x))} ${num(y.at(p.band?.high ?? p.y))}`,
            ),
            ...[...banded]
              .reverse()
              .map((p) => `L${num(x.at(p.x))} ${num(y.at(p.band?.low ?? p.y))}`),
          ].join(" ")} Z" fill="${series.color}" fill-opacity="0.15" stroke="none"/>`
        : "";
    const marks = sorted.map((p) => {
      const [fill, outline] = p.hollow ? ["#fff", series.color] : [series.color, "#fff"];
      return (
        `<g class="point"><title>${escapeMarkup(p.tip)}</title>` +
        marker(series.marker, x.at(p.x), y.at(p.y), fill, SIZE, outline) +
        "</g>"
      );
    });
    return (
      `<g class="series">${band}<path d="${path}" fill="none" stroke="${series.color}" stroke-width="1.5"${dash}/>` +
      `${marks.join("")}</g>`
    );
  });
  const reference = chart.reference
    ? line(
        box.left,
        y.at(chart.reference.y),
        box.right,
        y.at(chart.reference.y),
        `stroke="${MUTED}" stroke-width="1.5" stroke-dasharray="2 3"`,
      ) +
      text(box.right - 4, y.at(chart.reference.y) - 4, chart.reference.label, {
        "text-anchor": "end",
        fill: MUTED,
      })
    : "";
  const marks = (chart.marks ?? []).map(
    (mark) =>
      `<g class="mark"><title>${escapeMarkup(mark.tip)}</title>` +
      line(
        x.at(mark.x),
        box.bottom - 10,
        x.at(mark.x),
        box.bottom,
        `stroke="${mark.color}" stroke-width="3"`,
      ) +
      "</g>",
  );
  const items: LegendItem[] = chart.series
    .filter((s) => s.inLegend)
    .map((s) => ({ swatch: { kind: "series", color: s.color, marker: s.marker }, label: s.label }));
  const key = legend(items, box.left, box.bottom + 3.4 * FONT_SIZE, box.right - box.left);
  const body = [
    xAxis(x, box, chart.x.format, chart.x.title),
    yAxis(y, box, chart.y.format, chart.y.title, 14),
    reference,
    ...curves,
    ...marks,
    key.svg,
  ].join("");
  return svgRoot(WIDTH, box.bottom + 3.4 * FONT_SIZE + key.height + 8, chart.label, body);
}

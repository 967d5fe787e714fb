import type { Summary } from "../../stats/index.js";
import { yAxis } from "./axis.js";
import { escapeMarkup } from "./escape.js";
import { type Box, emptyChart, FONT_SIZE, INK, line, MUTED, num, svgRoot, text } from "./frame.js";
import { legend } from "./legend.js";
import { type Marker, marker } from "./marker.js";
import { logScale } from "./scale.js";

type Format = (x: number) => string;

export interface PercentileSeries {
  label: string;
  color: string;
  marker: Marker;
  /** One per category; null where the series has no value. */
  points: readonly (Summary | null)[];
}

export interface PercentileChart {
  label: string;
  axisTitle: string;
  categoryTitle: string;
  format: Format;
  categories: readonly string[];
  series: readonly PercentileSeries[];
}

const WIDTH = 560;
const PLOT_HEIGHT = 240;
const CAP = 3;

/** One line per series across categories (p50 … p99.9), on a log scale, with CI whiskers. */
export function percentileChart(chart: PercentileChart): string {
  const drawn = chart.series.filter((s) => s.points.some((p) => p !== null));
  const summaries = drawn.flatMap((s) => s.points.filter((p): p is Summary => p !== null));
  if (summaries.length === 0) return emptyChart(WIDTH, chart.label, "no latency in these results");
  const key = legend(
    [
      ...drawn.map((s) => ({
        swatch: { kind: "series" as const, color: s.color, marker: s.marker },
        label: s.label,
      })),
      { swatch: { kind: "interval" as const }, label: "95% CI" },
    ],
    8,
    4,
    WIDTH - 16,
  );
  const box: Box = {
    left: 76,
    right: WIDTH - 16,
    top: key.height + 14,
    bottom: key.height + 14 + PLOT_HEIGHT,
  };
  const scale = logScale(
    Math.min(...summaries.map((s) => Math.min(s.ci[0], s.median))),
    Math.max(...summaries.map((s) => Math.max(s.ci[1], s.median))),
    [box.bottom, box.top],
  );
  const band = (box.right - box.left) / chart.categories.length;
  const dodge = Math.min(10, band / (drawn.length + 1));
  const xOf = (category: number, series: number) =>
    box.left + band * (category + 0.5) + (series - (drawn.length - 1) / 2) * dodge;

  const categories = chart.categories.map((name, i) => {
    const x = box.left + band * (i + 0.5);
    return (
      line(x, box.bottom, x, box.bottom + 4, `stroke="${INK}"`) +
      text(x, box.bottom + 4 + FONT_SIZE, name, { "text-anchor": "middle" })
    );
  });
  const series = drawn.map((s, si) => {
    const points = s.points.flatMap((p, ci) =>
      p ? [{ p, x: xOf(ci, si), name: chart.categories[ci] ?? "" }] : [],
    );
    const path = points.map(({ p, x }) => `${num(x)},${num(scale.at(p.median))}`).join(" ");
    const stroke = `stroke="${s.color}" stroke-width="1.5"`;
    const marks = points.map(({ p, x, name }) => {
      const [lo, hi] = [scale.at(p.ci[0]), scale.at(p.ci[1])];
      const tip = `${s.label} ${name}: ${chart.format(p.median)} [${chart.format(p.ci[0])}–${chart.format(p.ci[1])}]`;
      return [
        `<g><title>${escapeMarkup(tip)}</title>`,
        line(x, lo, x, hi, stroke),
        line(x - CAP, lo, x + CAP, lo, stroke),
        line(x - CAP, hi, x + CAP, hi, stroke),
        marker(s.marker, x, scale.at(p.median), s.color),
        "</g>",
      ].join("");
    });
    return `<g class="series"><polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2" stroke-opacity="0.7"/>${marks.join("")}</g>`;
  });
  const body = [
    key.svg,
    yAxis(scale, box, chart.format, chart.axisTitle, 14),
    line(box.left, box.bottom, box.right, box.bottom, `stroke="${INK}"`),
    ...categories,
    text((box.left + box.right) / 2, box.bottom + 4 + 2.6 * FONT_SIZE, chart.categoryTitle, {
      "text-anchor": "middle",
      fill: MUTED,
    }),
    ...series,
  ].join("");
  return svgRoot(WIDTH, box.bottom + 44, chart.label, body);
}

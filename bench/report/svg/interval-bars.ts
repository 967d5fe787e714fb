import type { Summary } from "../../stats/index.js";
import { xAxis } from "./axis.js";
import { escapeMarkup } from "./escape.js";
import {
  type Box,
  emptyChart,
  FONT_SIZE,
  INK,
  line,
  MUTED,
  num,
  svgRoot,
  text,
  textWidth,
} from "./frame.js";
import { legend, RUN_DOT } from "./legend.js";
import { linearScale } from "./scale.js";

type Format = (x: number) => string;

export interface IntervalBar {
  label: string;
  color: string;
  summary: Summary | null;
  /** Every valid run's value, drawn as a dot over the bar. */
  runs: readonly number[];
  /** Said in place of the bar when there is no summary. */
  missing: string;
}

export interface IntervalBarChart {
  /** What the chart shows, for screen readers and the tooltip. */
  label: string;
  axisTitle: string;
  format: Format;
  /** Tick labels, when they need fewer digits than the values. */
  tickFormat?: Format;
  /** A fixed top of the axis (1 for a fraction); otherwise the data's. */
  max?: number;
  bars: readonly IntervalBar[];
}

const WIDTH = 560;
const ROW = 32;
const BAR = 16;
const CAP = 5;
const WHISKER = `stroke="${INK}" stroke-width="1.5"`;

/** Horizontal bars from zero to each median, with CI whiskers and a dot per run. */
export function intervalBarChart(chart: IntervalBarChart): string {
  const { bars, format } = chart;
  if (bars.length === 0) return emptyChart(WIDTH, chart.label, "no modes in these results");
  const key = legend(
    [
      { swatch: { kind: "bar", color: MUTED }, label: "median of the runs" },
      { swatch: { kind: "interval" }, label: "95% CI of the median" },
      { swatch: { kind: "run" }, label: "one run" },
    ],
    8,
    4,
    WIDTH - 16,
  );
  const values = bars.flatMap((bar) =>
    bar.summary ? [bar.summary.median, bar.summary.ci[1], ...bar.runs] : [],
  );
  const labelWidth = Math.max(...bars.map((bar) => textWidth(bar.label)));
  // Value labels are bold, wider than the average glyph textWidth reserves.
  const valueWidth = Math.max(
    0,
    ...bars.map((bar) => (bar.summary ? textWidth(format(bar.summary.median)) * 1.15 : 0)),
  );
  const box: Box = {
    left: 8 + labelWidth + 10,
    right: WIDTH - valueWidth - 14,
    top: key.height + 14,
    bottom: key.height + 14 + bars.length * ROW,
  };
  const scale = linearScale(chart.max ?? Math.max(0, ...values), [box.left, box.right]);
  const rows = bars.map((bar, i) => {
    const y = box.top + ROW * (i + 0.5);
    const name = text(box.left - 10, y + FONT_SIZE / 3, bar.label, { "text-anchor": "end" });
    const { summary } = bar;
    if (!summary) {
      const why = text(box.left + 8, y + FONT_SIZE / 3, bar.missing, {
        fill: MUTED,
        "font-style": "italic",
      });
      return `<g class="bar">${name}${why}</g>`;
    }
    const [lo, hi] = summary.ci.map((x) => scale.at(x)) as [number, number];
    const end = scale.at(summary.median);
    const dots = bar.runs.map(
      (value, j) =>
        `<circle cx="${num(scale.at(value))}" cy="${num(y + ((j % 3) - 1) * 4)}" r="2.5" ${RUN_DOT}/>`,
    );
    const right = Math.max(hi, end, ...bar.runs.map((value) => scale.at(value)));
    const tip = `${bar.label}: ${format(summary.median)} [${format(summary.ci[0])}–${format(summary.ci[1])}], ${summary.n} runs`;
    return [
      `<g class="bar"><title>${escapeMarkup(tip)}</title>`,
      name,
      `<rect x="${num(box.left)}" y="${num(y - BAR / 2)}" width="${num(Math.max(0, end - box.left))}" height="${BAR}" fill="${bar.color}" fill-opacity="0.8"/>`,
      line(lo, y, hi, y, WHISKER),
      line(lo, y - CAP, lo, y + CAP, WHISKER),
      line(hi, y - CAP, hi, y + CAP, WHISKER),
      ...dots,
      text(right + 6, y + FONT_SIZE / 3, format(summary.median), { "font-weight": "600" }),
      "</g>",
    ].join("");
  });
  const body = [
    key.svg,
    xAxis(scale, box, chart.tickFormat ?? format, chart.axisTitle),
    ...rows,
  ].join("");
  return svgRoot(WIDTH, box.bottom + 44, chart.label, body);
}

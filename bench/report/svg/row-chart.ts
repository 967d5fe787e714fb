import { xAxis } from "./axis.js";
import { dataScale, horizontalTicks, type ScaleKind } from "./data-scale.js";
import { escapeMarkup } from "./escape.js";
import {
  type Box,
  emptyChart,
  FONT_SIZE,
  GRID,
  INK,
  line,
  MUTED,
  num,
  svgRoot,
  text,
  textWidth,
} from "./frame.js";
import { type LegendItem, legend } from "./legend.js";
import { type Marker, marker } from "./marker.js";
import { linearScale } from "./scale.js";

type Format = (x: number) => string;

export interface RowPoint {
  marker: Marker;
  value: number;
}

/** One labelled row of marks along the value axis; a row without marks says `missing` instead. */
export interface Row {
  label: string;
  color: string;
  /** From the start of the axis to this value. */
  bar?: number;
  whisker?: readonly [number, number];
  /** Joined by a thin line; drawn in this order, so the last is on top where they overlap. */
  points?: readonly RowPoint[];
  /** A dashed tick across the row: the bound its values are held to. */
  limit?: number;
  /** Printed bold after the marks. */
  value?: string;
  tip: string;
  missing?: string;
}

export interface RowChart {
  /** What the chart shows, for screen readers and the tooltip. */
  label: string;
  axisTitle: string;
  scale: ScaleKind;
  format: Format;
  /** The axis reaches at least this far: whole-number ticks when every count is 0. */
  atLeast?: number;
  legend: readonly LegendItem[];
  rows: readonly Row[];
  /** Said instead of the chart when there are no rows. */
  empty: string;
}

const WIDTH = 560;
const ROW = 28;
const BAR = 14;
const CAP = 5;
const WHISKER = `stroke="${INK}" stroke-width="1.5"`;
const MINOR = `stroke="${GRID}" stroke-width="1" stroke-dasharray="2 3"`;
const LIMIT = `stroke="${INK}" stroke-width="1.5" stroke-dasharray="3 2"`;

const valuesOf = (row: Row): number[] => [
  ...(row.bar === undefined ? [] : [row.bar]),
  ...(row.whisker ?? []),
  ...(row.points ?? []).map((point) => point.value),
  ...(row.limit === undefined ? [] : [row.limit]),
];

function marks(row: Row, y: number, at: (x: number) => number, start: number): string[] {
  const parts: string[] = [];
  if (row.bar !== undefined) {
    const width = Math.max(0, at(row.bar) - start);
    parts.push(
      `<rect x="${num(start)}" y="${num(y - BAR / 2)}" width="${num(width)}" height="${BAR}" fill="${row.color}" fill-opacity="0.8"/>`,
    );
  }
  if (row.limit !== undefined) {
    const x = at(row.limit);
    parts.push(line(x, y - ROW / 2 + 2, x, y + ROW / 2 - 2, LIMIT));
  }
  if (row.whisker) {
    const [lo, hi] = row.whisker.map(at) as [number, number];
    parts.push(
      line(lo, y, hi, y, WHISKER),
      line(lo, y - CAP, lo, y + CAP, WHISKER),
      line(hi, y - CAP, hi, y + CAP, WHISKER),
    );
  }
  const points = row.points ?? [];
  if (points.length > 0) {
    const xs = points.map((point) => at(point.value));
    const joint = `stroke="${row.color}" stroke-width="2" stroke-opacity="0.6"`;
    parts.push(line(Math.min(...xs), y, Math.max(...xs), y, joint));
    parts.push(...points.map((point, i) => marker(point.marker, xs[i] ?? start, y, row.color, 9)));
  }
  return parts;
}

function valueScale(chart: RowChart, values: readonly number[], range: readonly [number, number]) {
  const bars = chart.rows.flatMap((row) => (row.bar !== undefined && row.bar > 0 ? [row.bar] : []));
  // A bar on a log axis is as long as the axis start makes it: start below the shortest, so it shows.
  const floor = chart.scale === "log" && bars.length > 0 ? [Math.min(...bars) / 2] : [];
  const reach = chart.atLeast === undefined ? [] : [chart.atLeast];
  // Rows that all say why they are missing still need an axis to stand on.
  const full =
    dataScale([...values, ...floor, ...reach], chart.scale, range) ?? linearScale(1, range);
  const scale = horizontalTicks(full, chart.scale, chart.format);
  return { scale, unlabelled: full.ticks.filter((tick) => !scale.ticks.includes(tick)) };
}

/**
 * Horizontal rows on one value axis, linear or logarithmic: any of a bar, a whisker, points and a
 * bound per row, with the row's figure printed after its marks.
 */
export function rowChart(chart: RowChart): string {
  const { rows } = chart;
  if (rows.length === 0) return emptyChart(WIDTH, chart.label, chart.empty);
  const values = rows.flatMap(valuesOf);
  const key = legend(chart.legend, 8, 4, WIDTH - 16);
  const labelWidth = Math.max(0, ...rows.map((row) => textWidth(row.label)));
  // Value labels are bold, wider than the average glyph textWidth reserves.
  const valueWidth = Math.max(0, ...rows.map((row) => textWidth(row.value ?? "") * 1.15));
  const box: Box = {
    left: 8 + labelWidth + 10,
    right: WIDTH - valueWidth - 14,
    top: key.height + 14,
    bottom: key.height + 14 + rows.length * ROW,
  };
  const { scale, unlabelled } = valueScale(chart, values, [box.left, box.right]);
  // Ticks whose labels would not fit still help the eye as lighter gridlines.
  const minor = unlabelled.map((tick) =>
    line(scale.at(tick), box.top, scale.at(tick), box.bottom, MINOR),
  );
  const drawn = rows.map((row, i) => {
    const y = box.top + ROW * (i + 0.5);
    const name = text(box.left - 10, y + FONT_SIZE / 3, row.label, { "text-anchor": "end" });
    const parts = marks(row, y, scale.at, box.left);
    if (parts.length === 0) {
      const why = text(box.left + 8, y + FONT_SIZE / 3, row.missing ?? "", {
        fill: MUTED,
        "font-style": "italic",
      });
      return `<g class="row"><title>${escapeMarkup(row.tip)}</title>${name}${why}</g>`;
    }
    const end = Math.max(box.left, ...valuesOf(row).map(scale.at));
    const figure =
      row.value === undefined
        ? ""
        : text(end + 6, y + FONT_SIZE / 3, row.value, { "font-weight": "600" });
    return `<g class="row"><title>${escapeMarkup(row.tip)}</title>${name}${parts.join("")}${figure}</g>`;
  });
  const body = [key.svg, ...minor, xAxis(scale, box, chart.format, chart.axisTitle), ...drawn].join(
    "",
  );
  return svgRoot(WIDTH, box.bottom + 44, chart.label, body);
}

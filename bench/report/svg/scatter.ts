import { xAxis, yAxis } from "./axis.js";
import { dataScale, horizontalTicks, type ScaleKind } from "./data-scale.js";
import { escapeMarkup } from "./escape.js";
import { type Box, emptyChart, FONT_SIZE, svgRoot, text, textWidth } from "./frame.js";
import { type Marker, marker } from "./marker.js";

type Format = (x: number) => string;

export interface ScatterAxis {
  title: string;
  format: Format;
  scale: ScaleKind;
}

export interface ScatterPoint {
  /** Written beside the point: the points are few, and a label reads faster than a legend. */
  label: string;
  color: string;
  marker: Marker;
  x: number;
  y: number;
  tip: string;
}

export interface ScatterChart {
  /** What the chart shows, for screen readers and the tooltip. */
  label: string;
  x: ScatterAxis;
  y: ScatterAxis;
  points: readonly ScatterPoint[];
  /** Said instead of the chart when there are no points. */
  empty: string;
}

const WIDTH = 560;
const PLOT_HEIGHT = 240;
const SIZE = 11;

/** One labelled marker per point, on two value axes. */
export function scatterChart(chart: ScatterChart): string {
  const { points } = chart;
  // Room above and to the right so that the markers and labels at the ends stay inside.
  const box: Box = { left: 76, right: WIDTH - 24, top: 16, bottom: 16 + PLOT_HEIGHT };
  const across = dataScale(
    points.map((p) => p.x),
    chart.x.scale,
    [box.left, box.right],
  );
  const x = across && horizontalTicks(across, chart.x.scale, chart.x.format);
  const y = dataScale(
    points.map((p) => p.y),
    chart.y.scale,
    [box.bottom, box.top],
  );
  if (points.length === 0 || !x || !y) return emptyChart(WIDTH, chart.label, chart.empty);
  const marks = points.map((point) => {
    const [cx, cy] = [x.at(point.x), y.at(point.y)];
    // Labels go right of their point, or left where they would leave the plot.
    const right = cx + SIZE + textWidth(point.label) <= box.right;
    const label = text(right ? cx + SIZE : cx - SIZE, cy + FONT_SIZE / 3, point.label, {
      "text-anchor": right ? "start" : "end",
      "font-weight": "600",
    });
    return [
      `<g class="point"><title>${escapeMarkup(point.tip)}</title>`,
      marker(point.marker, cx, cy, point.color, SIZE),
      label,
      "</g>",
    ].join("");
  });
  const body = [
    xAxis(x, box, chart.x.format, chart.x.title),
    yAxis(y, box, chart.y.format, chart.y.title, 14),
    ...marks,
  ].join("");
  return svgRoot(WIDTH, box.bottom + 44, chart.label, body);
}

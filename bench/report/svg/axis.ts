import { type Box, FONT_SIZE, GRID, INK, line, MUTED, text } from "./frame.js";
import type { Scale } from "./scale.js";

type Format = (x: number) => string;

const AXIS = `stroke="${INK}" stroke-width="1"`;
const GRIDLINE = `stroke="${GRID}" stroke-width="1"`;
const TICK = 4;

/** Value axis along the bottom: gridlines, ticks, labels and a title with the unit. */
export function xAxis(scale: Scale, box: Box, format: Format, title: string): string {
  const parts = scale.ticks.map((tick) => {
    const x = scale.at(tick);
    return (
      line(x, box.top, x, box.bottom, GRIDLINE) +
      line(x, box.bottom, x, box.bottom + TICK, AXIS) +
      text(x, box.bottom + TICK + FONT_SIZE, format(tick), { "text-anchor": "middle" })
    );
  });
  const middle = (box.left + box.right) / 2;
  return [
    `<g class="axis x">`,
    ...parts,
    line(box.left, box.bottom, box.right, box.bottom, AXIS),
    text(middle, box.bottom + TICK + 2.6 * FONT_SIZE, title, {
      "text-anchor": "middle",
      fill: MUTED,
    }),
    "</g>",
  ].join("");
}

/** Value axis along the left: gridlines, ticks, labels and a rotated title with the unit. */
export function yAxis(scale: Scale, box: Box, format: Format, title: string, titleX: number) {
  const parts = scale.ticks.map((tick) => {
    const y = scale.at(tick);
    return (
      line(box.left, y, box.right, y, GRIDLINE) +
      line(box.left - TICK, y, box.left, y, AXIS) +
      text(box.left - TICK - 3, y + FONT_SIZE / 3, format(tick), { "text-anchor": "end" })
    );
  });
  const middle = (box.top + box.bottom) / 2;
  return [
    `<g class="axis y">`,
    ...parts,
    line(box.left, box.top, box.left, box.bottom, AXIS),
    text(titleX, middle, title, {
      "text-anchor": "middle",
      fill: MUTED,
      transform: `rotate(-90 ${titleX} ${middle})`,
    }),
    "</g>",
  ].join("");
}

import { FONT_SIZE, INK, line, MUTED, num, text, textWidth } from "./frame.js";
import { type Marker, marker } from "./marker.js";

export type Swatch =
  | { kind: "bar"; color: string }
  | { kind: "interval" }
  | { kind: "run" }
  | { kind: "series"; color: string; marker: Marker };

export interface LegendItem {
  swatch: Swatch;
  label: string;
}

const SWATCH = 22;
const GAP = 16;
const ROW = FONT_SIZE + 8;

export const RUN_DOT = `fill="${INK}" fill-opacity="0.55"`;

function swatch(item: Swatch, x: number, y: number): string {
  switch (item.kind) {
    case "bar":
      return `<rect x="${num(x)}" y="${num(y - 5)}" width="${SWATCH - 4}" height="10" fill="${item.color}" fill-opacity="0.8"/>`;
    case "interval": {
      const style = `stroke="${INK}" stroke-width="1.5"`;
      return (
        line(x + 2, y, x + SWATCH - 4, y, style) +
        line(x + 2, y - 5, x + 2, y + 5, style) +
        line(x + SWATCH - 4, y - 5, x + SWATCH - 4, y + 5, style)
      );
    }
    case "run":
      return `<circle cx="${num(x + SWATCH / 2 - 2)}" cy="${num(y)}" r="2.5" ${RUN_DOT}/>`;
    case "series":
      return (
        line(x, y, x + SWATCH - 4, y, `stroke="${item.color}" stroke-width="2"`) +
        marker(item.marker, x + SWATCH / 2 - 2, y, item.color)
      );
  }
}

/** Items left to right from (x, y), wrapping at `width`; returns the SVG and the height used. */
export function legend(
  items: readonly LegendItem[],
  x: number,
  y: number,
  width: number,
): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y + ROW / 2;
  for (const item of items) {
    const span = SWATCH + textWidth(item.label);
    if (cx > x && cx + span > x + width) {
      cx = x;
      cy += ROW;
    }
    parts.push(swatch(item.swatch, cx, cy));
    parts.push(text(cx + SWATCH, cy + FONT_SIZE / 3, item.label, { fill: MUTED }));
    cx += span + GAP;
  }
  return { svg: `<g class="legend">${parts.join("")}</g>`, height: cy - y + ROW / 2 };
}

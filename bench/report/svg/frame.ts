import { escapeMarkup } from "./escape.js";

/** Plot area inside a chart, in SVG user units. */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export const FONT_SIZE = 12;
export const INK = "#222";
export const MUTED = "#555";
export const GRID = "#d9d9d9";

// SVG text cannot be measured without a script; this average glyph width of the sans-serif
// stack is what the layout reserves, with some margin.
export const textWidth = (text: string, size = FONT_SIZE): number => text.length * size * 0.6;

export const num = (x: number): string => String(Math.round(x * 10) / 10);

export function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, string | number> = {},
): string {
  const extra = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${escapeMarkup(String(value))}"`)
    .join("");
  return `<text x="${num(x)}" y="${num(y)}"${extra}>${escapeMarkup(content)}</text>`;
}

export const line = (x1: number, y1: number, x2: number, y2: number, style: string): string =>
  `<line x1="${num(x1)}" y1="${num(y1)}" x2="${num(x2)}" y2="${num(y2)}" ${style}/>`;

/** The root element: scales to its container's width, carries its own fonts and colours. */
export function svgRoot(width: number, height: number, label: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${num(height)}"` +
    ` width="${width}" height="${num(height)}" role="img" aria-label="${escapeMarkup(label)}"` +
    ` font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"` +
    ` font-size="${FONT_SIZE}" fill="${INK}"><title>${escapeMarkup(label)}</title>${body}</svg>`
  );
}

/** A chart with nothing to draw still renders, and says why. */
export function emptyChart(width: number, label: string, why: string): string {
  const height = 80;
  return svgRoot(
    width,
    height,
    label,
    text(width / 2, height / 2, why, { "text-anchor": "middle", fill: MUTED }),
  );
}

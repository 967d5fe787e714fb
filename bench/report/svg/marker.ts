import { num } from "./frame.js";

// Shapes as well as colours tell the series apart: in greyscale print and for colour-blind readers.
export const MARKERS = ["circle", "square", "triangle", "diamond", "cross"] as const;
export type Marker = (typeof MARKERS)[number];

/** A marker centred on (x, y), about `size` across; `outline` its edge (white by default). */
export function marker(
  kind: Marker,
  x: number,
  y: number,
  color: string,
  size = 8,
  outline = "#fff",
): string {
  const r = size / 2;
  const paint = `fill="${color}" stroke="${outline}" stroke-width="1"`;
  const points = (pairs: [number, number][]) =>
    `<polygon points="${pairs.map(([px, py]) => `${num(x + px)},${num(y + py)}`).join(" ")}" ${paint}/>`;
  switch (kind) {
    case "circle":
      return `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" ${paint}/>`;
    case "square":
      return `<rect x="${num(x - r * 0.9)}" y="${num(y - r * 0.9)}" width="${num(r * 1.8)}" height="${num(r * 1.8)}" ${paint}/>`;
    case "triangle":
      return points([
        [0, -r * 1.15],
        [r * 1.1, r * 0.8],
        [-r * 1.1, r * 0.8],
      ]);
    case "diamond":
      return points([
        [0, -r * 1.2],
        [r * 1.2, 0],
        [0, r * 1.2],
        [-r * 1.2, 0],
      ]);
    case "cross": {
      const a = r * 0.35;
      return points([
        [-a, -r],
        [a, -r],
        [a, -a],
        [r, -a],
        [r, a],
        [a, a],
        [a, r],
        [-a, r],
        [-a, a],
        [-r, a],
        [-r, -a],
        [-a, -a],
      ]);
    }
  }
}

import { MARKERS, type Marker } from "./marker.js";

// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. Each mode keeps
// its colour and marker in every chart; a mode added later takes the next free pair.
const NAMED: Readonly<Record<string, { color: string; marker: Marker }>> = {
  ceiling: { color: "#8c8c8c", marker: "square" },
  "ceiling-unrecorded": { color: "#c4c4c4", marker: "circle" },
  none: { color: "#e69f00", marker: "circle" },
  memory: { color: "#0072b2", marker: "triangle" },
  redis: { color: "#d55e00", marker: "diamond" },
  tiered: { color: "#009e73", marker: "cross" },
  target: { color: "#cc79a7", marker: "circle" },
  // JWTs: one colour for the plain ones, told apart by marker; Okabe–Ito's yellow darkened to
  // be seen on white.
  "jwt-hs256": { color: "#56b4e9", marker: "circle" },
  "jwt-es256": { color: "#56b4e9", marker: "square" },
  "jwt-eddsa": { color: "#56b4e9", marker: "diamond" },
  "jwt-denylist": { color: "#000000", marker: "cross" },
  "jwt-version": { color: "#a68f00", marker: "triangle" },
};
const SPARE = ["#56b4e9", "#f0e442", "#000000"] as const;

export function modeStyle(mode: string, index: number): { color: string; marker: Marker } {
  return (
    NAMED[mode] ?? {
      color: SPARE[index % SPARE.length] ?? "#000",
      marker: MARKERS[index % MARKERS.length] ?? "circle",
    }
  );
}

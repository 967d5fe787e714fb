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

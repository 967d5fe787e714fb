import { textWidth } from "./frame.js";
import { linearScale, logScale, type Scale } from "./scale.js";

export type ScaleKind = "linear" | "log";

/**
 * A scale over the values: linear from 0, or logarithmic over the positive ones (a log scale has
 * no 0; the scale draws those at its start). Null when a log scale has nothing to span.
 */
export function dataScale(
  values: readonly number[],
  kind: ScaleKind,
  range: readonly [number, number],
): Scale | null {
  const finite = values.filter((x) => Number.isFinite(x));
  if (kind === "linear") return linearScale(Math.max(0, ...finite), range);
  const positive = finite.filter((x) => x > 0);
  if (positive.length === 0) return null;
  return logScale(Math.min(...positive), Math.max(...positive), range);
}

const GAP = 8;
const isDecade = (x: number): boolean => Math.abs(Math.log10(x) % 1) < 1e-9;

/**
 * The same scale with no two tick labels overlapping along a horizontal axis: a log scale keeps its
 * decades first (1-2-5 labels crowd a narrow chart), then every other tick goes until they fit.
 */
export function horizontalTicks(
  scale: Scale,
  kind: ScaleKind,
  format: (x: number) => string,
): Scale {
  const fits = (ticks: readonly number[]) =>
    ticks.every((tick, i) => {
      const before = ticks[i - 1];
      if (before === undefined) return true;
      const room = (textWidth(format(before)) + textWidth(format(tick))) / 2 + GAP;
      return Math.abs(scale.at(tick) - scale.at(before)) >= room;
    });
  const decades = scale.ticks.filter(isDecade);
  let ticks = fits(scale.ticks) || kind !== "log" || decades.length < 2 ? scale.ticks : decades;
  while (!fits(ticks) && ticks.length > 2) ticks = ticks.filter((_, i) => i % 2 === 0);
  return { ...scale, ticks };
}

import {
  compareArms,
  type LoadMode,
  type LoadResults,
  type RunFigure,
  systemCpuOf,
} from "../load/index.js";
import type { Comparison } from "../stats/index.js";
import {
  type Crossover,
  MAP_FIGURES,
  type MapCell,
  type MapFigure,
  type MapPoint,
  type MapResults,
  type ModeCrossovers,
  type Versus,
} from "./schema.js";

export const BASELINE: LoadMode = "none";

/** Which way is better for each figure, and how a run gives it. */
const FIGURES: Record<MapFigure, { better: "higher" | "lower"; of: RunFigure; name: string }> = {
  throughput: { better: "higher", of: (run) => run.rps, name: "throughput (closed loop)" },
  systemCpu: { better: "lower", of: systemCpuOf, name: "whole-system CPU per request" },
  p99: { better: "lower", of: (run) => run.latencyUs?.p99, name: "p99 at the offered rate" },
  capacity: { better: "higher", of: (run) => run.capacity?.capacity, name: "capacity at the SLO" },
};
export const figureName = (figure: MapFigure): string => FIGURES[figure].name;

/** A comparison's sign for the map: withheld or not significant count as neither way. */
function versus(comparison: Comparison | null, better: "higher" | "lower"): Versus {
  if (!comparison || comparison.withheld || !comparison.significant) {
    return { comparison, sign: 0 };
  }
  return { comparison, sign: comparison.verdict === better ? 1 : -1 };
}

const NOT_MEASURED: Versus = { comparison: null, sign: 0 };

/**
 * Each mode against none at one distance: from the closed-loop benchmark, p99 response time from
 * the open-loop one at the offered rate, capacity at the SLO from its search, when they ran.
 */
export function cellsOf(
  closed: LoadResults,
  open: LoadResults | null,
  capacity: LoadResults | null,
): MapCell[] {
  const against = (results: LoadResults, mode: LoadMode, figure: MapFigure): Versus =>
    mode === BASELINE
      ? NOT_MEASURED
      : versus(
          compareArms(results.runs, mode, BASELINE, FIGURES[figure].of),
          FIGURES[figure].better,
        );
  return closed.summaries.map((summary) => ({
    mode: summary.mode,
    validRuns: summary.validRuns,
    totalRuns: summary.totalRuns,
    rps: summary.rps,
    serverCpuUsPerRequest: summary.serverCpuUsPerRequest,
    systemCpuUsPerRequest: summary.systemCpuUsPerRequest,
    hitRatio: summary.hitRatio,
    throughput: against(closed, summary.mode, "throughput"),
    systemCpu: against(closed, summary.mode, "systemCpu"),
    p99: open ? against(open, summary.mode, "p99") : NOT_MEASURED,
    capacity: capacity ? against(capacity, summary.mode, "capacity") : NOT_MEASURED,
  }));
}

/** The distance axis: by measured distance where known, else in the order given. */
export function byDistance(points: readonly MapPoint[]): MapPoint[] {
  return [...points].sort(
    (a, b) =>
      (a.measuredMs?.median ?? Number.POSITIVE_INFINITY) -
      (b.measuredMs?.median ?? Number.POSITIVE_INFINITY),
  );
}

/**
 * Where `mode` starts to beat none on `figure`: between the last distance where it loses
 * significantly and the first where it wins significantly, when every loss comes before every win.
 */
export function crossover(
  points: readonly MapPoint[],
  mode: LoadMode,
  figure: MapFigure,
): Crossover {
  const measured = byDistance(points).flatMap((point) => {
    const cell = point.cells.find((c) => c.mode === mode);
    return cell?.[figure].comparison
      ? [{ label: point.distance.label, sign: cell[figure].sign }]
      : [];
  });
  if (measured.length === 0) return { kind: "not located", why: "not measured at any distance" };
  const wins = measured.flatMap((m, i) => (m.sign === 1 ? [i] : []));
  const losses = measured.flatMap((m, i) => (m.sign === -1 ? [i] : []));
  if (wins.length === measured.length) return { kind: "wins everywhere" };
  if (wins.length === 0 && losses.length === 0) {
    return { kind: "not located", why: "no significant difference at any distance" };
  }
  if (wins.length === 0) return { kind: "never wins in this range" };
  if (losses.length === 0) {
    return {
      kind: "not located",
      why: `no distance where it loses significantly; it first wins at ${measured[wins[0] as number]?.label}`,
    };
  }
  const lastLoss = Math.max(...losses);
  const firstWin = Math.min(...wins);
  if (lastLoss > firstWin) {
    return { kind: "not located", why: "it wins and loses at distances in no order" };
  }
  return {
    kind: "between",
    from: measured[lastLoss]?.label as string,
    to: measured[firstWin]?.label as string,
  };
}

/** Every cache mode's crossover on every figure the map measured. */
export function crossovers(results: Pick<MapResults, "points" | "options">): ModeCrossovers[] {
  const { rate, capacity } = results.options;
  const figures = MAP_FIGURES.filter(
    (figure) => (figure !== "p99" || rate !== null) && (figure !== "capacity" || capacity),
  );
  return results.options.modes
    .filter((mode) => mode !== BASELINE)
    .flatMap((mode) =>
      figures.map((figure) => ({
        mode,
        figure,
        crossover: crossover(results.points, mode, figure),
      })),
    );
}

export function crossoverText(found: Crossover): string {
  switch (found.kind) {
    case "between":
      return `between ${found.from} and ${found.to}`;
    case "not located":
      return `not located: ${found.why}`;
    default:
      return found.kind;
  }
}

import { armLabel } from "../load/index.js";
import { fmtMs, fmtNum, fmtRatio } from "../report/format.js";
import {
  figureGrid,
  htmlPage,
  inline,
  list,
  provenanceSection,
  RERENDER_FOOTER,
  type Section,
  table,
} from "../report/html-page.js";
import { provenanceRows } from "../report/markdown.js";
import { type CurveSeries, curveChart } from "../report/svg/curves.js";
import type { Figure } from "../report/svg/figure.js";
import { modeStyle } from "../report/svg/palette.js";
import { scatterChart } from "../report/svg/scatter.js";
import { BASELINE, byDistance, figureName } from "./derive.js";
import { frontierDistance } from "./exposure.js";
import {
  coldStartArms,
  coldStartTable,
  crossoverLines,
  decisionTable,
  distanceLabel,
  exposureLines,
  figureTable,
  mapOptionRows,
  methodLines,
  otherFigures,
  primaryFigure,
} from "./render.js";
import type { MapResults } from "./schema.js";

/** The x axis of every chart along the distances: measured, log scale. */
const DISTANCE_AXIS = {
  title: "store distance (measured lookup)",
  format: fmtMs,
  scale: "log",
} as const;

/** (a) Each mode × none against the measured store distance, log–log, its CI shaded. */
function gainChart(results: MapResults): Figure {
  const figure = primaryFigure(results);
  const points = byDistance(results.points).filter((p) => p.measuredMs);
  const series: CurveSeries[] = results.options.modes
    .filter((mode) => mode !== BASELINE)
    .map((mode, index) => ({
      label: mode,
      ...modeStyle(mode, index),
      inLegend: true,
      points: points.flatMap((point) => {
        const comparison = point.cells.find((c) => c.mode === mode)?.[figure].comparison;
        if (!comparison || !point.measuredMs) return [];
        return [
          {
            x: point.measuredMs.median,
            y: comparison.ratio,
            band: { low: comparison.ci[0], high: comparison.ci[1] },
            tip: `${mode} at ${distanceLabel(point)}: ${fmtRatio(comparison.ratio)} none`,
          },
        ];
      }),
    }));
  return {
    id: "gain",
    title: `${figureName(figure)} × none, against the store's distance`,
    caption:
      "One line per cache mode; the shaded band is its 95% CI. Above 1 the mode beats none" +
      (figure === "throughput" ? "" : " (lower p99 is better: below 1 it beats none)") +
      ". The distance is measured: a session lookup's time at none, log scale.",
    svg: curveChart({
      label: "speed gain against store distance",
      x: DISTANCE_AXIS,
      y: { title: "× none", format: (x) => fmtRatio(x), scale: "log" },
      series,
      reference: { y: 1, label: "as fast as none" },
      empty: "No distance has a comparison with none.",
    }),
  };
}

/** Where a zero exposure is drawn on the log axis, and said to be. */
const ZERO_FLOOR_MS = 0.1;

/** (b) Speed gain against revocation exposure at one distance: the trade-off in one picture. */
function frontierChart(results: MapResults): Figure {
  const at = frontierDistance(results.options.distances);
  const point = results.points.find((p) => p.distance.label === at?.label);
  const figure = primaryFigure(results);
  const points = results.exposure.flatMap((exposure, index) => {
    const cell = point?.cells.find((c) => c.mode === exposure.mode);
    const gain = exposure.mode === BASELINE ? 1 : cell?.[figure].comparison?.ratio;
    if (gain === undefined) return [];
    // A revocation run with another cache TTL measured another bound: the promise here stands.
    const comparable =
      exposure.measuredMs !== null &&
      (exposure.measuredCacheTtl === results.options.cacheTtl || exposure.promisedMs === 0);
    const ms = comparable ? (exposure.measuredMs as number) : exposure.promisedMs;
    const source = comparable ? "measured" : "promised";
    const shown = ms <= 0 ? `0 ms, drawn at ${ZERO_FLOOR_MS} ms` : `${fmtNum(ms)} ms`;
    return [
      {
        label: `${exposure.mode}${ms <= 0 ? " (0)" : ""}`,
        ...modeStyle(exposure.mode, index),
        x: Math.max(ms, ZERO_FLOOR_MS),
        y: gain,
        tip: `${exposure.mode}: ${fmtRatio(gain)} none at ${at?.label}; exposure ${shown} (${source})`,
      },
    ];
  });
  return {
    id: "frontier",
    title: `Speed against revocation exposure, at ${at?.label ?? "no distance"}`,
    caption:
      `Up is faster (× none, ${figureName(figure)}); right is longer that a revoked token stays` +
      ` accepted on another instance: measured by the newest revocation report of the store, else the` +
      ` mode's promise. A zero exposure is drawn at ${ZERO_FLOOR_MS} ms, the axis's floor, and labelled (0).`,
    svg: scatterChart({
      label: "speed gain against revocation exposure",
      x: { title: "revocation exposure (log)", format: fmtMs, scale: "log" },
      y: { title: "× none", format: (x) => fmtRatio(x), scale: "linear" },
      points,
      empty: `No comparison at ${at?.label ?? "any distance"}.`,
    }),
  };
}

/** (c) Whole-system against server-only CPU per request, per mode, along the distances. */
function cpuChart(results: MapResults): Figure {
  const points = byDistance(results.points).filter((p) => p.measuredMs);
  const series = results.options.modes.flatMap((mode, index): CurveSeries[] => {
    const style = modeStyle(mode, index);
    const line = (whole: boolean): CurveSeries => ({
      label: mode,
      ...style,
      dashed: !whole,
      inLegend: whole,
      points: points.flatMap((point) => {
        const cell = point.cells.find((c) => c.mode === mode);
        const cpu = whole ? cell?.systemCpuUsPerRequest : cell?.serverCpuUsPerRequest;
        if (!cpu || !point.measuredMs) return [];
        return [
          {
            x: point.measuredMs.median,
            y: cpu.median,
            tip: `${mode} at ${distanceLabel(point)}: ${fmtNum(cpu.median)} µs/req (${whole ? "whole system" : "server only"})`,
          },
        ];
      }),
    });
    return [line(true), line(false)];
  });
  return {
    id: "cpu",
    title: "CPU per request: the whole system (solid) against the server alone (dashed)",
    caption:
      "Where a dashed line sits below its solid one, the mode moved work out of the server (into" +
      " redis-server or PostgreSQL); only the solid line compares modes. µs per request, log scale.",
    svg: curveChart({
      label: "CPU per request against store distance",
      x: DISTANCE_AXIS,
      y: { title: "CPU µs/req", format: (x) => fmtNum(x), scale: "log" },
      series,
      empty: "No CPU was measured.",
    }),
  };
}

/** (d) --cold-start: how long each arm's cold cache took to settle, along the distances. */
function coldStartChart(results: MapResults): Figure {
  const points = byDistance(results.points).filter((p) => p.measuredMs);
  const series: CurveSeries[] = coldStartArms(results)
    .filter((arm) => arm.mode !== BASELINE)
    .map((arm, index) => ({
      label: armLabel(arm),
      ...modeStyle(arm.mode, index),
      dashed: arm.variant?.endsWith("off") === true,
      inLegend: true,
      points: points.flatMap((point) => {
        const cell = point.coldStart.find((c) => c.mode === arm.mode && c.variant === arm.variant);
        const ms = cell?.timeToSteadyMs?.median;
        if (ms === undefined || !point.measuredMs) return [];
        return [
          {
            x: point.measuredMs.median,
            y: Math.max(ms, BIN_FLOOR_MS),
            tip: `${armLabel(arm)} at ${distanceLabel(point)}: steady after ${fmtNum(ms)} ms`,
          },
        ];
      }),
    }));
  return {
    id: "cold-start",
    title: "Cold start: time to the steady hit ratio, against the store's distance",
    caption:
      "From the first request of a server whose cache is empty to the first 100 ms bin at 98% of" +
      " the hit ratio it settles at (median over runs); dashed: single-flight off. A time under one" +
      ` bin is drawn at ${BIN_FLOOR_MS} ms. Each distance's own timeline is in its cold-start report under points/.`,
    svg: curveChart({
      label: "time to steady against store distance",
      x: DISTANCE_AXIS,
      y: { title: "time to steady (ms)", format: (x) => fmtNum(x), scale: "log" },
      series,
      empty: "No cold-start run.",
    }),
  };
}
/** The first bin starts at 0 ms: a log axis draws it at the width of one bin. */
const BIN_FLOOR_MS = 100;

/** The HTML view: the decision table first, then the three pictures. */
export function renderMapHtml(results: MapResults): string {
  const crossovers = crossoverLines(results);
  const cold = coldStartTable(results);
  const intro = `<p>${inline(
    "Which cache mode wins as the store gets further away, what it costs the whole system, and what it costs in revocation exposure. Each distance's own load report is under points/.",
  )}</p>`;
  const sections: Section[] = [
    { id: "decision", heading: "Decision table", body: table(decisionTable(results), false) },
    ...otherFigures(results).map((figure) => ({
      id: figure,
      heading: figureName(figure),
      body: table(figureTable(results, figure), false),
    })),
    ...(cold ? [{ id: "cold", heading: "Cold start", body: table(cold, false) }] : []),
    { id: "crossovers", heading: "Crossovers", body: list(crossovers, "No cache mode ran.") },
    {
      id: "charts",
      heading: "Charts",
      body: figureGrid([
        gainChart(results),
        frontierChart(results),
        cpuChart(results),
        ...(cold ? [coldStartChart(results)] : []),
      ]),
    },
    { id: "exposure", heading: "Revocation exposure", body: list(exposureLines(results), "") },
    { id: "method", heading: "Method", body: list(methodLines(results), "") },
    provenanceSection(provenanceRows(results.provenance), mapOptionRows(results)),
  ];
  return htmlPage("auth-cache-bench: where caching pays off", intro, sections, RERENDER_FOOTER);
}

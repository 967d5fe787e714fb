import { fmtRate, fmtUs } from "../report/format.js";
import type { Figure } from "../report/svg/figure.js";
import { MUTED } from "../report/svg/frame.js";
import type { Marker } from "../report/svg/marker.js";
import { modeStyle } from "../report/svg/palette.js";
import { type Row, rowChart } from "../report/svg/row-chart.js";
import { scatterChart } from "../report/svg/scatter.js";
import type { LagSummary, RevocationMode, RevocationResults } from "./schema.js";

/** Lag is kept in ms; the reports print every duration alike: "412 µs", "1.93 ms", "2.00 s". */
const fmtMs = (ms: number): string => fmtUs(ms * 1000);
const fmtCount = (n: number): string => n.toLocaleString("en-US");

const colorOf = (results: RevocationResults, mode: RevocationMode) =>
  modeStyle(mode, results.options.modes.indexOf(mode));

// The percentile is the shape, the mode the colour.
const MARKERS = { p50: "circle", p99: "triangle", max: "square" } as const satisfies Record<
  string,
  Marker
>;
type Percentile = keyof typeof MARKERS;
const PERCENTILES: readonly Percentile[] = ["p50", "p99", "max"];
// p99, the printed figure, goes on top where it meets the max.
const DRAW_ORDER: readonly Percentile[] = ["max", "p50", "p99"];

function lagRow(results: RevocationResults, s: LagSummary): Row {
  const points = DRAW_ORDER.flatMap((key) => {
    const value = s[key];
    return value === null ? [] : [{ marker: MARKERS[key], value }];
  });
  const figures = PERCENTILES.map((key) => {
    const value = s[key];
    return `${key} ${value === null ? "–" : fmtMs(value)}`;
  });
  return {
    label: `${s.mode} · ${s.event}`,
    color: colorOf(results, s.mode).color,
    points,
    ...(s.boundMs > 0 ? { limit: s.boundMs } : {}),
    ...(s.p99 === null ? {} : { value: fmtMs(s.p99) }),
    tip: `${s.mode} ${s.event}, ${s.role} instance, ${s.samples} probes: ${figures.join(", ")}; promised: ${s.boundNote}`,
    missing: `never 401 within the bound (${s.unrevoked} of ${s.samples})`,
  };
}

function lagFigure(results: RevocationResults, role: LagSummary["role"]): Figure {
  const who = role === "other" ? "the other instances" : "the revoking instance";
  const summaries = results.summaries.filter((s) => s.role === role);
  const bounded = summaries.filter((s) => s.boundMs > 0);
  const bound =
    bounded.length > 0
      ? ` A dashed tick marks a promised bound above 0: ${[...new Set(bounded.map((s) => `\`${s.mode}\` ${fmtMs(s.boundMs)}`))].join(", ")}.`
      : "";
  return {
    id: `fig-lag-${role}`,
    title: `Revocation lag on ${who}`,
    caption:
      `From the revocation's response to the first probe answered 401, on ${who}, per mode and` +
      " event: p50, p99 (its value written at the right) and max over the trials, known to within" +
      ` one probe interval (${results.options.intervalMs} ms). Log scale: equal distances are equal` +
      ` ratios; lower is better.${bound}`,
    svg: rowChart({
      label: `Revocation lag p50, p99 and max on ${who}, per mode and event, log scale`,
      axisTitle: "lag (log scale; lower is better)",
      scale: "log",
      format: fmtMs,
      legend: PERCENTILES.map((key) => ({
        swatch: { kind: "series" as const, color: MUTED, marker: MARKERS[key] },
        label: key,
      })),
      rows: summaries.map((s) => lagRow(results, s)),
      empty: `no ${role === "other" ? "other instances" : "revocations"} in these results`,
    }),
  };
}

function staleRow(results: RevocationResults, mode: RevocationMode, role: LagSummary["role"]) {
  const summaries = results.summaries.filter((s) => s.mode === mode && s.role === role);
  if (summaries.length === 0) return [];
  const stale = summaries.reduce((sum, s) => sum + s.staleAccepts, 0);
  const perEvent = summaries.map((s) => `${s.event} ${fmtCount(s.staleAccepts)}`).join(", ");
  const row: Row = {
    label: `${mode} · ${role === "other" ? "others" : "revoking"}`,
    color: colorOf(results, mode).color,
    bar: stale,
    value: fmtCount(stale),
    tip: `${mode}, ${role === "other" ? "other instances" : "revoking instance"}: ${fmtCount(stale)} stale accepts (${perEvent})`,
  };
  return [row];
}

function staleFigure(results: RevocationResults): Figure {
  return {
    id: "fig-stale",
    title: "Stale accepts",
    caption:
      "Probes sent after the revocation's response and still answered 2xx, summed over the events" +
      " (per event in the table); the figure that matters. `none`, `redis` and `tiered` promise 0" +
      " on every instance; `memory` promises 0 on the revoking instance only, and accepts on the" +
      " others until their entry expires.",
    svg: rowChart({
      label: "Stale accepts per mode, on the revoking and on the other instances",
      axisTitle: "probes answered 2xx after the revocation (lower is better)",
      scale: "linear",
      format: fmtCount,
      atLeast: 4,
      legend: [{ swatch: { kind: "bar", color: MUTED }, label: "stale accepts, all events" }],
      rows: results.options.modes.flatMap((mode) => [
        ...staleRow(results, mode, "revoking"),
        ...staleRow(results, mode, "other"),
      ]),
      empty: "no revocations in these results",
    }),
  };
}

function scatterFigure(results: RevocationResults): Figure {
  const pairs = results.lagVsThroughput;
  const reports = [...new Set(pairs.map((pair) => `\`${pair.report}\``))].join(", ");
  return {
    id: "fig-lag-vs-throughput",
    title: "Revocation lag against throughput",
    caption:
      `Each mode's throughput (median req/s of the load report ${reports}; higher is better)` +
      " against its lag p99 on the other instances here (log scale; lower is better). The best" +
      " place is bottom right.",
    svg: scatterChart({
      label: "Throughput against revocation lag p99 per mode",
      x: { title: "requests per second (higher is better)", format: fmtRate, scale: "linear" },
      y: { title: "lag p99, other instances (log)", format: fmtMs, scale: "log" },
      points: pairs.flatMap(({ mode, rps, lagP99Ms }) =>
        lagP99Ms === null
          ? []
          : [
              {
                label: mode,
                ...colorOf(results, mode),
                x: rps,
                y: lagP99Ms,
                tip: `${mode}: ${fmtRate(rps)} req/s, lag p99 ${fmtMs(lagP99Ms)}`,
              },
            ],
      ),
      empty: "no mode with both a throughput and a lag",
    }),
  };
}

/** The charts of a revocation benchmark, in the order the page shows them. */
export function revocationFigures(results: RevocationResults): Figure[] {
  return [
    lagFigure(results, "other"),
    lagFigure(results, "revoking"),
    staleFigure(results),
    ...(results.lagVsThroughput.length > 0 ? [scatterFigure(results)] : []),
  ];
}

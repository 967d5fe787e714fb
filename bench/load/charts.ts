import { fmtPct, fmtRate, fmtUs } from "../report/format.js";
import { type CurveSeries, curveChart } from "../report/svg/curves.js";
import type { Figure } from "../report/svg/figure.js";
import { type IntervalBar, intervalBarChart } from "../report/svg/interval-bars.js";
import { modeStyle } from "../report/svg/palette.js";
import { percentileChart } from "../report/svg/percentile-lines.js";
import { median, type Summary } from "../stats/index.js";
import { armRuns, isPlain, serverCpuOf } from "./derive.js";
import { armLabel, VARIANT_LABELS } from "./rows.js";
import {
  type FloodVariant,
  type LoadResults,
  loopOf,
  type ModeSummary,
  type RunResult,
} from "./schema.js";

const INTERVALS =
  "Bars are the median over each mode's valid runs, whiskers the 95% CI of that median" +
  " (min–max with fewer than 6 runs, which covers less: see Warnings), dots the single runs.";

/** One figure of each valid run of an arm: the dots beside its bar. */
function runDots(
  results: LoadResults,
  ofArm: (run: RunResult) => boolean,
  value: (run: RunResult) => number | null | undefined,
): number[] {
  return results.runs
    .filter((run) => ofArm(run) && run.status === "ok")
    .flatMap((run) => {
      const x = value(run);
      return typeof x === "number" && Number.isFinite(x) ? [x] : [];
    });
}

function bars(
  results: LoadResults,
  summary: (s: ModeSummary) => Summary | null,
  value: (run: RunResult) => number | null | undefined,
  missing: (s: ModeSummary) => string,
): IntervalBar[] {
  return results.summaries.map((s, i) => ({
    label: s.mode,
    color: modeStyle(s.mode, i).color,
    summary: summary(s),
    runs: runDots(results, (run) => run.mode === s.mode && isPlain(run), value),
    missing: missing(s),
  }));
}

const noValidRuns = (s: ModeSummary) => `no valid runs (${s.totalRuns} ran)`;

function throughput(results: LoadResults): Figure {
  return {
    id: "fig-throughput",
    title: "Throughput per mode",
    caption: `Requests per second; higher is better. ${INTERVALS} ceiling is the same route with authentication off.`,
    svg: intervalBarChart({
      label: "Throughput per mode, requests per second, median with 95% CI",
      axisTitle: "requests per second (higher is better)",
      format: fmtRate,
      bars: bars(
        results,
        (s) => s.rps,
        (run) => run.rps,
        noValidRuns,
      ),
    }),
  };
}

const PERCENTILES = [
  ["p50", "p50"],
  ["p90", "p90"],
  ["p99", "p99"],
  ["p999", "p99.9"],
] as const;

function latency(results: LoadResults): Figure {
  const open = loopOf(results.options) === "open";
  const what = open ? "Response time" : "Latency";
  return {
    id: "fig-latency",
    title: open
      ? `Response time percentiles per mode at ${fmtRate(results.options.rate)} req/s offered`
      : "Latency percentiles per mode, at saturation (closed loop)",
    caption:
      "Each point is the median over runs of that run's percentile, from the harness's own" +
      " histogram in µs; whiskers are its 95% CI across runs. The scale is logarithmic, so equal" +
      " distances are equal ratios. Lower is better." +
      (open
        ? " Response time counts from each request's planned send, so a stall counts for every request due during it."
        : " Each connection waits for its answer before sending again, so this is latency at the load the server could carry."),
    svg: percentileChart({
      label: `${what} percentiles p50 to p99.9 per mode, log scale`,
      axisTitle: `${what.toLowerCase()} (log scale; lower is better)`,
      categoryTitle: "percentile of requests within a run",
      format: fmtUs,
      categories: PERCENTILES.map(([, name]) => name),
      series: results.summaries.map((s, i) => ({
        label: s.mode,
        ...modeStyle(s.mode, i),
        points: PERCENTILES.map(([key]) => s.latencyUs?.[key] ?? null),
      })),
    }),
  };
}

function serverCpu(results: LoadResults): Figure {
  return {
    id: "fig-cpu",
    title: "Server CPU per request",
    caption:
      "CPU time (user + system) of the server process per request, from /metrics before and" +
      ` after each measured window; lower is better. It is steadier than throughput on a noisy host. ${INTERVALS}`,
    svg: intervalBarChart({
      label: "Server CPU time per request per mode, median with 95% CI",
      axisTitle: "server CPU time per request (lower is better)",
      format: fmtUs,
      bars: bars(results, (s) => s.serverCpuUsPerRequest, serverCpuOf, noValidRuns),
    }),
  };
}

function hitRatio(results: LoadResults): Figure {
  return {
    id: "fig-hit-ratio",
    title: "Cache hit ratio",
    caption: `Hits / (hits + misses + errors) of the token cache, from /metrics. ${INTERVALS}`,
    svg: intervalBarChart({
      label: "Cache hit ratio per mode, median with 95% CI",
      axisTitle: "share of token checks answered by the cache",
      format: (x) => fmtPct(x, 2),
      tickFormat: (x) => fmtPct(x, 0),
      max: 1,
      bars: bars(
        results,
        (s) => s.hitRatio,
        (run) => run.server?.hitRatio,
        (s) => (s.validRuns > 0 ? "no cache in this mode" : noValidRuns(s)),
      ),
    }),
  };
}

/** login-flood: each mode's read throughput without the flood, and under it with and without limits. */
function readUnderFlood(results: LoadResults): Figure {
  const armBars = results.summaries.flatMap((s, i) => {
    const { color } = modeStyle(s.mode, i);
    const runsOf = (variant: FloodVariant) =>
      runDots(
        results,
        (run) => run.mode === s.mode && run.variant === variant,
        (run) => run.rps,
      );
    const arms: { variant: FloodVariant; summary: Summary | null }[] = [
      { variant: "baseline", summary: s.rps },
      ...results.floods
        .filter((f) => f.mode === s.mode)
        .map((f) => ({ variant: f.variant, summary: f.rps })),
    ];
    return arms.map(({ variant, summary }) => ({
      label: `${s.mode}, ${VARIANT_LABELS[variant]}`,
      color,
      summary,
      runs: runsOf(variant),
      missing: "no valid runs",
    }));
  });
  return {
    id: "fig-flood",
    title: "Read throughput under a login flood",
    caption:
      "Requests per second of the read path per mode: alone, beside a flood of wrong-password" +
      ` logins with the login limits on, and with them off; higher is better. ${INTERVALS}`,
    svg: intervalBarChart({
      label: "Read throughput per mode without and with a login flood, median with 95% CI",
      axisTitle: "read requests per second (higher is better)",
      format: fmtRate,
      bars: armBars,
    }),
  };
}

function capacity(results: LoadResults): Figure {
  return {
    id: "fig-capacity",
    title: "Capacity at SLO per mode",
    caption:
      `The highest offered rate whose p99 response time stayed within ${results.options.sloP99Ms} ms` +
      ` with nothing dropped, found by a search in every round; higher is better. ${INTERVALS}`,
    svg: intervalBarChart({
      label: "Capacity at SLO per mode, requests per second, median with 95% CI",
      axisTitle: "requests per second within the SLO (higher is better)",
      format: fmtRate,
      bars: bars(
        results,
        (s) => s.capacity?.capacity ?? null,
        (run) => run.capacity?.capacity,
        noValidRuns,
      ),
    }),
  };
}

/** Every step of every search: response time against offered rate, per mode. */
function latencyThroughput(results: LoadResults): Figure {
  const slo = results.options.sloP99Ms * 1000;
  const series: CurveSeries[] = results.summaries.flatMap((s, i) => {
    const style = modeStyle(s.mode, i);
    const searches = results.runs.filter(
      (run) => run.mode === s.mode && run.status === "ok" && run.capacity,
    );
    // One line per round: a search's steps, in order of rate, are one curve.
    return searches.flatMap((run, nth) => {
      const steps = (run.capacity?.steps ?? []).filter((step) => step.responseUs !== null);
      const line = (key: "p50" | "p99", dashed: boolean): CurveSeries => ({
        label: s.mode,
        ...style,
        dashed,
        inLegend: nth === 0 && !dashed,
        points: steps.map((step) => ({
          x: step.rate,
          y: step.responseUs?.[key] ?? 0,
          hollow: !step.passed,
          tip:
            `${s.mode}, round ${run.round}: ${fmtRate(step.rate)} req/s offered, ${fmtRate(step.achievedRps)} completed;` +
            ` p50 ${fmtUs(step.responseUs?.p50)}, p99 ${fmtUs(step.responseUs?.p99)}` +
            `${step.dropped > 0 ? `, ${step.dropped} dropped` : ""}; ${step.passed ? "held" : "broke"} the SLO`,
        })),
      });
      return steps.length > 0 ? [line("p99", false), line("p50", true)] : [];
    });
  });
  return {
    id: "fig-latency-throughput",
    title: "Response time against offered rate",
    caption:
      "Every step of every capacity search, one line per round: the offered rate across, the p99" +
      " (solid) and p50 (dashed) response time up, on a log scale; hollow markers broke the SLO (dotted line)," +
      " the ticks on the axis are each mode's median capacity. Where a curve turns up is where" +
      " the mode runs out of capacity.",
    svg: curveChart({
      label: "Response time p50 and p99 against offered rate per mode, log scale",
      x: { title: "offered requests per second", format: fmtRate, scale: "linear" },
      y: { title: "response time (log scale)", format: fmtUs, scale: "log" },
      series,
      reference: { y: slo, label: `SLO p99 ${fmtUs(slo)}` },
      marks: results.summaries.flatMap((s, i) => {
        const median = s.capacity?.capacity?.median;
        return median
          ? [
              {
                x: median,
                color: modeStyle(s.mode, i).color,
                tip: `${s.mode}: capacity ${fmtRate(median)} req/s`,
              },
            ]
          : [];
      }),
      empty: "no capacity search produced a step with answers",
    }),
  };
}

/** The charts of a load benchmark, in the order the page shows them. */
/**
 * cold-start and expiry: the store's lookups per second along the run, one line per arm (its
 * defence off dashed), each 100 ms bin the median over the arm's runs.
 */
function stampedeTimeline(results: LoadResults): Figure {
  const series: CurveSeries[] = results.stampedes.map((arm, index) => {
    const runs = armRuns(results, arm);
    const byBin = new Map<number, number[]>();
    for (const run of runs) {
      for (const bin of run.timeline ?? []) {
        if (bin.storeLookupsPerSecond === null) continue;
        byBin.set(bin.atMs, [...(byBin.get(bin.atMs) ?? []), bin.storeLookupsPerSecond]);
      }
    }
    const label = armLabel(arm);
    return {
      label,
      ...modeStyle(arm.mode, index),
      dashed: arm.variant?.endsWith("off") === true,
      inLegend: true,
      points: [...byBin].map(([atMs, rates]) => ({
        x: atMs / 1000,
        y: median(rates),
        tip: `${label} at ${(atMs / 1000).toFixed(1)} s: ${fmtRate(median(rates))} lookups/s`,
      })),
    };
  });
  return {
    id: "stampede",
    title: `${results.options.scenario}: what the store serves, from the first request`,
    caption:
      "Session lookups per second reaching the store, in 100 ms bins (median over runs); a dashed" +
      " line is the same mode with its defence off (single-flight, or TTL jitter). A cache that" +
      " fills falls to its steady rate; entries that expire together send it back up.",
    svg: curveChart({
      label: "store lookups per second along the run",
      x: {
        title: "seconds from the first request",
        format: (x) => `${x.toFixed(1)} s`,
        scale: "linear",
      },
      y: { title: "store lookups/s", format: fmtRate, scale: "linear" },
      series,
      empty: "No timeline was recorded.",
    }),
  };
}

export function loadFigures(results: LoadResults): Figure[] {
  const common = [serverCpu(results), hitRatio(results)];
  if (results.stampedes.length > 0) return [stampedeTimeline(results), ...common];
  switch (loopOf(results.options)) {
    case "capacity":
      return [capacity(results), latencyThroughput(results), ...common];
    case "open":
      return [
        latency(results),
        ...(results.floods.length > 0 ? [readUnderFlood(results)] : []),
        ...common,
      ];
    case "closed":
      return [
        throughput(results),
        ...(results.floods.length > 0 ? [readUnderFlood(results)] : []),
        latency(results),
        ...common,
      ];
  }
}

import type { ServiceName } from "../harness/service-cpu.js";
import {
  coverageNote,
  DASH,
  type Fmt,
  fmtBytes,
  fmtCi,
  fmtComparison,
  fmtDetectable,
  fmtFixed2,
  fmtInterval,
  fmtMs,
  fmtNum,
  fmtP,
  fmtPct,
  fmtRate,
  fmtRatio,
  fmtUs,
  missing,
  NOMINAL_COVERAGE,
  type TableData,
} from "../report/format.js";
import { median } from "../stats/index.js";
import { armRuns, serviceCpuPerRequest } from "./derive.js";
import {
  baselineOf,
  type FloodSummary,
  type FloodVariant,
  type LoadMode,
  type LoadResults,
  loopOf,
  type ModeSummary,
  type PinningSummary,
  type RunResult,
  type Variant,
} from "./schema.js";

const fmtMB: Fmt = (bytes) => (missing(bytes) ? DASH : fmtNum(bytes / 1e6));

function throughputTable(results: LoadResults, title: string): TableData {
  const baseline = baselineOf(results.options);
  return {
    title,
    header: [
      "mode",
      "valid runs",
      "req/s median [95% CI]",
      "× ceiling",
      `× ${baseline}`,
      "p50",
      "p99",
      "p99.9",
    ],
    rows: results.summaries.map((s) => [
      s.mode,
      `${s.validRuns}/${s.totalRuns}`,
      fmtCi(s.rps, fmtRate),
      s.mode === "ceiling" ? DASH : fmtComparison(s.vsCeiling),
      s.mode === baseline ? DASH : fmtComparison(s.vsBaseline),
      fmtUs(s.latencyUs?.p50.median),
      fmtUs(s.latencyUs?.p99.median),
      fmtUs(s.latencyUs?.p999.median),
    ]),
  };
}

/** --rate: every mode at the same offered rate, response time from the planned send. */
function responseTimeTable(results: LoadResults): TableData {
  const { rate, arrivals } = results.options;
  const baseline = baselineOf(results.options);
  return {
    title: `Response time at ${fmtRate(rate)} req/s offered (open loop, ${arrivals} arrivals, from the planned send)`,
    header: [
      "mode",
      "valid runs",
      "achieved req/s",
      "p50",
      "p90",
      "p99 [95% CI]",
      "p99.9",
      `p99 × ${baseline}`,
      "service p99",
      "lag p99",
      "dropped",
    ],
    rows: results.summaries.map((s) => [
      s.mode,
      `${s.validRuns}/${s.totalRuns}`,
      fmtRate(s.openLoop?.achievedRps?.median),
      fmtUs(s.latencyUs?.p50.median),
      fmtUs(s.latencyUs?.p90.median),
      fmtCi(s.latencyUs?.p99, fmtUs),
      fmtUs(s.latencyUs?.p999.median),
      s.mode === baseline ? DASH : fmtComparison(s.openLoop?.p99VsBaseline),
      fmtUs(s.openLoop?.serviceP99Us?.median),
      fmtUs(s.openLoop?.lagP99Us?.median),
      fmtNum(s.openLoop?.dropped),
    ]),
  };
}

/** --capacity: each mode's highest offered rate within the SLO, per round. */
function capacityTable(results: LoadResults): TableData {
  const baseline = baselineOf(results.options);
  return {
    title: `Capacity at SLO: the highest offered rate with p99 ≤ ${results.options.sloP99Ms} ms and nothing dropped (open loop)`,
    header: [
      "mode",
      "valid runs",
      "capacity req/s [95% CI]",
      `× ${baseline}`,
      "× ceiling",
      "closed loop req/s",
      "steps",
      "generator on time to",
    ],
    rows: results.summaries.map((s) => [
      s.mode,
      `${s.validRuns}/${s.totalRuns}`,
      fmtCi(s.capacity?.capacity, fmtRate),
      s.mode === baseline ? DASH : fmtComparison(s.capacity?.vsBaseline),
      s.mode === "ceiling" ? DASH : fmtComparison(s.capacity?.vsCeiling),
      fmtRate(s.rps?.median),
      s.capacity ? String(s.capacity.steps) : DASH,
      s.capacity?.generatorOnTimeUpTo ? `${fmtRate(s.capacity.generatorOnTimeUpTo)} req/s` : DASH,
    ]),
  };
}

function costTable(summaries: readonly ModeSummary[], title: string, openLoop = false): TableData {
  const table: TableData = {
    title,
    header: [
      "mode",
      "server CPU µs/req [95% CI]",
      "hit ratio",
      "store lookups/req",
      "store lookup",
      "event-loop p99 ms",
      "generator core share",
    ],
    rows: summaries.map((s) => [
      s.mode,
      fmtCi(s.serverCpuUsPerRequest, fmtNum),
      fmtPct(s.hitRatio?.median, 2),
      fmtNum(s.storeLookupsPerRequest?.median),
      fmtMs(s.sessionLookupMs?.median),
      fmtNum(s.eventLoopDelayP99Ms?.median),
      fmtNum(s.generatorCoreShare?.median),
    ]),
  };
  if (!openLoop) return table;
  // The open loop's clock spins: what it costs per request is part of its figures.
  table.header.push("generator CPU µs/req");
  table.rows.forEach((row, i) => {
    row.push(fmtNum(summaries[i]?.openLoop?.generatorCpuUsPerRequest?.median));
  });
  return table;
}

function serviceCell(results: LoadResults, mode: LoadMode, service: ServiceName): string {
  const cpu = serviceCpuPerRequest(results, mode, service);
  return cpu === "not measured" ? cpu : fmtNum(cpu);
}

/**
 * What a request costs the whole system, and what each mode holds: the server's CPU, each local
 * service's on the request path, their sum, and the memory the cache and the process take.
 */
function resourcesTable(results: LoadResults): TableData {
  return {
    title: "Resources per request, whole system on the request path, and what the cache holds",
    header: [
      "mode",
      "server CPU µs/req",
      "+ redis-server",
      "+ PostgreSQL",
      "whole-system CPU µs/req [95% CI]",
      "cache entries",
      "cache holds",
      "RSS MB (peak)",
    ],
    rows: results.summaries.map((s) => [
      s.mode,
      fmtNum(s.serverCpuUsPerRequest?.median),
      serviceCell(results, s.mode, "redis-server"),
      serviceCell(results, s.mode, "postgres"),
      fmtCi(s.systemCpuUsPerRequest, fmtNum),
      fmtNum(s.cacheEntries?.median),
      fmtBytes(s.cacheBytes?.median),
      s.rssPeakBytes
        ? `${fmtMB(s.rssBytes?.median)} (${fmtMB(s.rssPeakBytes.median)})`
        : fmtMB(s.rssBytes?.median),
    ]),
  };
}

/** --fault: what each mode lost while our Redis was down, and how long its cache took back. */
function faultTable(results: LoadResults): TableData {
  const fault = results.options.fault;
  const ratio = (during: number | undefined, before: number | undefined) =>
    during !== undefined && before ? `${fmtNum(during / before)}×` : DASH;
  return {
    title: `Redis killed ${fault?.atSeconds} s into each run and started again, empty, ${fault?.forSeconds} s later (medians over runs, from 100 ms bins)`,
    header: [
      "mode",
      "req/s before",
      "while down",
      "× before",
      "after restart",
      "non-2xx while down",
      "store lookups/s while down",
      "worst 100 ms p99 while down",
      "back to steady hit ratio ms [95% CI]",
    ],
    rows: results.faults.map((f) => [
      f.mode,
      fmtRate(f.rpsBefore?.median),
      fmtRate(f.rpsDuring?.median),
      ratio(f.rpsDuring?.median, f.rpsBefore?.median),
      fmtRate(f.rpsAfter?.median),
      fmtNum(f.non2xxDuring),
      fmtRate(f.storeLookupsPerSecondDuring?.median),
      fmtUs(f.worstP99UsDuring?.median),
      fmtCi(f.backToSteadyMs, fmtNum),
    ]),
  };
}

/** cold-start and expiry: how fast each arm's cache settled and how hard its store was hit. */
function stampedeTable(results: LoadResults): TableData {
  return {
    title: `${results.options.scenario}: each arm from its first request (Zipf over ${fmtNum(results.options.users)} users, a cache of ${fmtNum(results.options.cacheMax)}, TTL ${results.options.cacheTtl} s)`,
    header: [
      "mode",
      "steady hit ratio",
      "time to steady ms [95% CI]",
      "store peak lookups/s",
      "store median lookups/s",
      "worst 100 ms p99",
    ],
    rows: results.stampedes.map((s) => [
      armLabel(s),
      fmtPct(s.steadyHitRatio?.median, 1),
      fmtCi(s.timeToSteadyMs, fmtNum),
      fmtRate(s.peakLookupsPerSecond?.median),
      fmtRate(s.medianLookupsPerSecond?.median),
      fmtUs(s.worstBinP99Us?.median),
    ]),
  };
}

/** Rows of a timeline table: this many ms each, the busiest of their 100 ms bins. */
const TIMELINE_ROW_MS = 200;

/**
 * Each arm's timeline, every TIMELINE_ROW_MS: the store's lookups per second (the busiest bin of
 * the row) and the cache's hit ratio (the lowest), median over the arm's runs.
 */
function timelineTable(results: LoadResults): TableData {
  const arms = results.stampedes;
  const rows = Math.ceil((results.options.duration * 1000) / TIMELINE_ROW_MS);
  return {
    title: `${results.options.scenario}: store lookups/s and hit ratio every ${TIMELINE_ROW_MS} ms (median over runs)`,
    header: ["from", ...arms.map((arm) => armLabel(arm))],
    rows: Array.from({ length: rows }, (_, row) => {
      const from = row * TIMELINE_ROW_MS;
      const cells = arms.map((arm) => {
        const per = armRuns(results, arm).map((run) =>
          (run.timeline ?? []).filter((b) => b.atMs >= from && b.atMs < from + TIMELINE_ROW_MS),
        );
        const lookups = per.flatMap((bins) => {
          const rates = bins.flatMap((b) => b.storeLookupsPerSecond ?? []);
          return rates.length > 0 ? [Math.max(...rates)] : [];
        });
        const hits = per.flatMap((bins) => {
          const ratios = bins.flatMap((b) => b.hitRatio ?? []);
          return ratios.length > 0 ? [Math.min(...ratios)] : [];
        });
        const hit = hits.length > 0 ? ` ${fmtPct(median(hits), 0)}` : "";
        return lookups.length > 0 ? `${fmtRate(median(lookups))}${hit}` : DASH;
      });
      return [`${(from / 1000).toFixed(1)} s`, ...cells];
    }),
  };
}

/** How each arm of the login-flood scenario is named in tables, lines and charts. */
export const VARIANT_LABELS: Record<FloodVariant, string> = {
  baseline: "no flood",
  flood: "flood, limits on",
  "flood-unlimited": "flood, limits off",
};

const labelOf = (variant: Variant): string =>
  variant in VARIANT_LABELS ? VARIANT_LABELS[variant as FloodVariant] : variant;

/** A mode, with its login-flood or stampede arm when it has one. */
export const armLabel = ({
  mode,
  variant,
  version,
}: Pick<RunResult, "mode" | "variant"> & { version?: RunResult["version"] }) =>
  `${variant ? `${mode} (${labelOf(variant)})` : mode}${version ? ` · ${version}` : ""}`;

function readUnderFloodTable(floods: readonly FloodSummary[]): TableData {
  return {
    title: "The read path under a login flood (× the same mode without it, same round)",
    header: ["mode", "arm", "valid runs", "req/s [95% CI]", "× no flood", "p99", "p99 × no flood"],
    rows: floods.map((f) => [
      f.mode,
      VARIANT_LABELS[f.variant],
      `${f.validRuns}/${f.totalRuns}`,
      fmtCi(f.rps, fmtRate),
      fmtComparison(f.rpsVsBaseline),
      fmtUs(f.p99Us?.median),
      fmtComparison(f.p99VsBaseline),
    ]),
  };
}

function floodTable(floods: readonly FloodSummary[]): TableData {
  const statuses = [...new Set(floods.flatMap((f) => Object.keys(f.statusesPerSecond)))].sort();
  return {
    title: "The flood: wrong-password logins, per second, and the login path's latency",
    header: ["mode", "arm", "logins/s", ...statuses.map((s) => `${s}/s`), "login p50", "login p99"],
    rows: floods.map((f) => [
      f.mode,
      VARIANT_LABELS[f.variant],
      fmtRate(f.loginsPerSecond?.median),
      ...statuses.map((s) => fmtRate(f.statusesPerSecond[s]?.median ?? 0)),
      fmtUs(f.loginP50Us?.median),
      fmtUs(f.loginP99Us?.median),
    ]),
  };
}

/** --pin-cpus both: what pinning did to each mode's throughput and to its rounds' agreement. */
function pinningTable(pinning: readonly PinningSummary[], baseline: LoadMode): TableData {
  const spread = (c: PinningSummary["vsBaselinePinned"]) =>
    c?.ratioSpread === null || c?.ratioSpread === undefined ? DASH : `±${fmtPct(c.ratioSpread, 1)}`;
  return {
    title:
      "CPU pinning: the generator on CPU 0, the servers on the others, Redis and PostgreSQL unpinned (pinned and unpinned arms of the same rounds)",
    header: [
      "mode",
      "pinned ÷ unpinned req/s",
      `× ${baseline} pinned`,
      "spread pinned",
      `× ${baseline} unpinned`,
      "spread unpinned",
    ],
    rows: pinning.map((p) => [
      p.mode,
      fmtComparison(p.pinnedVsUnpinned),
      fmtComparison(p.vsBaselinePinned),
      spread(p.vsBaselinePinned),
      fmtComparison(p.vsBaselineUnpinned),
      spread(p.vsBaselineUnpinned),
    ]),
  };
}

/** The summary tables, shared by every renderer so they cannot disagree. */
export function summaryRows(results: LoadResults): TableData[] {
  const floods =
    results.floods.length > 0
      ? [readUnderFloodTable(results.floods), floodTable(results.floods)]
      : [];
  const { summaries } = results;
  switch (loopOf(results.options)) {
    case "open":
      return [
        responseTimeTable(results),
        costTable(summaries, "Cost per request at the offered rate", true),
        resourcesTable(results),
        ...floods,
      ];
    case "capacity":
      return [
        capacityTable(results),
        throughputTable(
          results,
          "The closed-loop run before each search: throughput, and latency at saturation",
        ),
        costTable(summaries, "Cost per request in that closed-loop run"),
        resourcesTable(results),
      ];
    case "closed":
      if (results.stampedes.length > 0) {
        return [
          stampedeTable(results),
          timelineTable(results),
          costTable(summaries, "Cost per request, the server as shipped"),
          resourcesTable(results),
        ];
      }
      return [
        ...(results.faults.length > 0 ? [faultTable(results)] : []),
        throughputTable(results, "Throughput, and latency at saturation (closed loop)"),
        costTable(summaries, "Cost per request"),
        resourcesTable(results),
        ...floods,
        ...(results.pinning.length > 0
          ? [pinningTable(results.pinning, baselineOf(results.options))]
          : []),
      ];
  }
}

function floodVerdictLine(f: FloodSummary): string {
  const under = `${f.mode} under a login flood, ${VARIANT_LABELS[f.variant].replace("flood, ", "")}`;
  if (!f.rpsVsBaseline) return `${under}: no rounds to compare with its no-flood runs`;
  if (f.rpsVsBaseline.withheld) {
    return `${under}: too noisy to conclude (${fmtComparison(f.rpsVsBaseline)}): ${f.rpsVsBaseline.withheld}`;
  }
  return (
    `${under}: ${fmtComparison(f.rpsVsBaseline)} of its no-flood read throughput` +
    ` (p=${fmtP(f.rpsVsBaseline.p)}), p99 ${fmtComparison(f.p99VsBaseline)}`
  );
}

/** What the verdict lines compare, for each way of measuring. */
const VERDICT_FIGURE = {
  closed: {
    name: "throughput",
    of: (s: ModeSummary, baseline: LoadMode) =>
      baseline === "ceiling" ? s.vsCeiling : s.vsBaseline,
  },
  open: {
    name: "p99 response time",
    of: (s: ModeSummary, baseline: LoadMode) =>
      (baseline === "ceiling" ? s.openLoop?.p99VsCeiling : s.openLoop?.p99VsBaseline) ?? null,
  },
  capacity: {
    name: "capacity at SLO",
    of: (s: ModeSummary, baseline: LoadMode) =>
      (baseline === "ceiling" ? s.capacity?.vsCeiling : s.capacity?.vsBaseline) ?? null,
  },
} as const;

export const verdictFigure = (results: LoadResults): string =>
  VERDICT_FIGURE[loopOf(results.options)].name;

/**
 * The comparison a mode's verdict rests on: the baseline (`none`, or the reference target)
 * against the ceiling, the rest against the baseline.
 */
function verdictComparison(s: ModeSummary, results: LoadResults) {
  const ours = baselineOf(results.options);
  const baseline: LoadMode = s.mode === ours ? "ceiling" : ours;
  return { baseline, comparison: VERDICT_FIGURE[loopOf(results.options)].of(s, baseline) };
}

function verdictLine(s: ModeSummary, results: LoadResults): string {
  const figure = VERDICT_FIGURE[loopOf(results.options)];
  const { baseline, comparison } = verdictComparison(s, results);
  if (!comparison) return `${s.mode}: no comparison with ${baseline} in these results`;
  const p = `p=${fmtP(comparison.p)}`;
  if (comparison.withheld) {
    return `${s.mode}: too noisy to conclude against ${baseline} (${p}, ${fmtComparison(comparison)}): ${comparison.withheld}`;
  }
  if (!comparison.significant) {
    return `${s.mode}: no significant difference from ${baseline} (${p}, ${fmtComparison(comparison)}; detects ${fmtDetectable(comparison.detectable)})`;
  }
  const ci = fmtInterval(comparison.ci, fmtFixed2) + coverageNote(comparison.ciCoverage);
  return `${s.mode}: ${fmtRatio(comparison.ratio)} ${baseline} ${figure.name} ${ci}, significant (${p})`;
}

/** The verdict's figure of the baseline against the ceiling, and of every other mode against it. */
export function verdictLines(results: LoadResults): string[] {
  // A target has no ceiling to be compared with: the reference target has no verdict line.
  const compared = (s: ModeSummary) =>
    s.mode !== "ceiling" &&
    (results.options.targets.length === 0 || s.mode !== baselineOf(results.options));
  return [
    ...results.summaries.filter(compared).map((s) => verdictLine(s, results)),
    ...results.floods.map(floodVerdictLine),
  ];
}

function joinRounds(rounds: readonly number[]): string {
  return `round${rounds.length === 1 ? "" : "s"} ${rounds.join(", ")}`;
}

/**
 * A verdict rests on the rounds where both modes ran validly, which may be fewer than either
 * mode's own runs: say so wherever that leaves its interval short of 95%.
 */
function smallSampleLines(results: LoadResults): string[] {
  return results.summaries.flatMap((s) => {
    const { baseline, comparison } = verdictComparison(s, results);
    if (!comparison || comparison.ciCoverage >= NOMINAL_COVERAGE - 1e-9) return [];
    const what = comparison.method === "paired" ? "paired rounds" : "valid runs";
    return [
      `${s.mode} against ${baseline}: only ${comparison.n} ${what}, so the interval of the ratio` +
        ` covers the true ratio ${fmtPct(comparison.ciCoverage, 1)} of the time, not 95%`,
    ];
  });
}

/** A late generator, and a mode past its capacity at the offered rate. */
function openLoopLines(results: LoadResults, mode: LoadMode): string[] {
  const runs = results.runs.filter((r) => r.mode === mode && r.status === "ok" && r.openLoop);
  const lines: string[] = [];
  const late = runs.filter((r) => r.openLoop?.generatorLate);
  if (late.length > 0) {
    const lag = Math.max(...late.map((r) => r.openLoop?.scheduleLagUs?.p99 ?? 0));
    const floors = late.flatMap((r) => (r.openLoop?.clockFloor ? [r.openLoop.clockFloor] : []));
    const machine =
      floors.length > 0
        ? `; just before, a bare spin lost up to ${fmtPct(Math.max(...floors.map((f) => f.pausedShare)))}` +
          ` of its time to the rest of the machine, in pauses of up to ${fmtUs(Math.max(...floors.map((f) => f.longestPauseUs)))}`
        : "";
    lines.push(
      `${mode} ${joinRounds(late.map((r) => r.round))}: the generator sent late (schedule lag p99` +
        ` up to ${fmtUs(lag)}, above 100 µs): response times are only as good as that lag${machine}`,
    );
  }
  const saturated = runs.filter((r) => r.openLoop?.saturated);
  if (saturated.length > 0) {
    const dropped = saturated.reduce((total, r) => total + (r.openLoop?.dropped ?? 0), 0);
    const achieved = Math.min(...saturated.map((r) => r.rps));
    lines.push(
      `${mode} ${joinRounds(saturated.map((r) => r.round))}: past its capacity at` +
        ` ${fmtRate(results.options.rate)} req/s (${dropped} dropped, as few as` +
        ` ${fmtRate(achieved)} req/s completed): its response times include the backlog`,
    );
  }
  return lines;
}

/** Everything that limits what the numbers can be trusted for. */
export function warningLines(results: LoadResults): string[] {
  const lines: string[] = [];
  for (const run of results.runs) {
    if (run.status === "ok") continue;
    const why = run.reasons.length > 0 ? run.reasons.join("; ") : "no reason recorded";
    lines.push(`${armLabel(run)} round ${run.round} ${run.status}: ${why}`);
  }
  for (const { mode, reason } of results.skipped) lines.push(`${mode} skipped: ${reason}`);
  const open = loopOf(results.options) === "open";
  const figure = VERDICT_FIGURE[loopOf(results.options)];
  for (const s of results.summaries) {
    const withheld = verdictComparison(s, results).comparison?.withheld;
    if (withheld) lines.push(`${s.mode}: ${figure.name} verdict withheld, too noisy: ${withheld}`);
    if (open) {
      lines.push(...openLoopLines(results, s.mode));
      continue;
    }
    const saturated = results.runs.filter((r) => r.mode === s.mode && r.generator.saturated);
    if (saturated.length > 0) {
      const share = Math.max(...saturated.map((r) => r.generator.coreShare));
      lines.push(
        `${s.mode} ${joinRounds(saturated.map((r) => r.round))}: the load generator saturated ` +
          `its core (core share ${fmtFixed2(share)}), so throughput may be capped by the generator`,
      );
    }
  }
  lines.push(...unmeasuredServiceLines(results));
  lines.push(...smallSampleLines(results));
  return lines;
}

/** A service whose CPU could not be read leaves whole-system CPU unmeasured: say which, and why. */
function unmeasuredServiceLines(results: LoadResults): string[] {
  const why = new Map<string, string>();
  for (const run of results.runs) {
    for (const service of run.system?.services ?? []) {
      if (service.cpuSeconds === null && !why.has(service.service))
        why.set(service.service, service.why);
    }
  }
  return [...why].map(
    ([service, reason]) =>
      `whole-system CPU not measured where ${service} is on the request path: ${reason}`,
  );
}

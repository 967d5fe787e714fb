import {
  coverageNote,
  DASH,
  type Fmt,
  fmtCi,
  fmtComparison,
  fmtFixed2,
  fmtInterval,
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
import type {
  FloodSummary,
  FloodVariant,
  LoadMode,
  LoadResults,
  ModeSummary,
  RunResult,
} from "./schema.js";

const fmtMB: Fmt = (bytes) => (missing(bytes) ? DASH : fmtNum(bytes / 1e6));

function throughputTable(summaries: readonly ModeSummary[]): TableData {
  return {
    title: "Throughput and latency",
    header: [
      "mode",
      "valid runs",
      "req/s median [95% CI]",
      "× ceiling",
      "× none",
      "p50",
      "p99",
      "p99.9",
    ],
    rows: summaries.map((s) => [
      s.mode,
      `${s.validRuns}/${s.totalRuns}`,
      fmtCi(s.rps, fmtRate),
      s.mode === "ceiling" ? DASH : fmtComparison(s.vsCeiling),
      s.mode === "none" ? DASH : fmtComparison(s.vsNone),
      fmtUs(s.latencyUs?.p50.median),
      fmtUs(s.latencyUs?.p99.median),
      fmtUs(s.latencyUs?.p999.median),
    ]),
  };
}

function costTable(summaries: readonly ModeSummary[]): TableData {
  return {
    title: "Cost per request",
    header: [
      "mode",
      "server CPU µs/req [95% CI]",
      "hit ratio",
      "store lookups/req",
      "RSS MB",
      "event-loop p99 ms",
      "generator core share",
    ],
    rows: summaries.map((s) => [
      s.mode,
      fmtCi(s.serverCpuUsPerRequest, fmtNum),
      fmtPct(s.hitRatio?.median, 2),
      fmtNum(s.storeLookupsPerRequest?.median),
      fmtMB(s.rssBytes?.median),
      fmtNum(s.eventLoopDelayP99Ms?.median),
      fmtNum(s.generatorCoreShare?.median),
    ]),
  };
}

/** How each arm of the login-flood scenario is named in tables, lines and charts. */
export const VARIANT_LABELS: Record<FloodVariant, string> = {
  baseline: "no flood",
  flood: "flood, limits on",
  "flood-unlimited": "flood, limits off",
};

/** A mode, with its login-flood arm when it has one. */
export const armLabel = ({ mode, variant }: Pick<RunResult, "mode" | "variant">) =>
  variant ? `${mode} (${VARIANT_LABELS[variant]})` : mode;

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

/** The summary tables, shared by every renderer so they cannot disagree. */
export function summaryRows(results: LoadResults): TableData[] {
  const floods =
    results.floods.length > 0
      ? [readUnderFloodTable(results.floods), floodTable(results.floods)]
      : [];
  return [throughputTable(results.summaries), costTable(results.summaries), ...floods];
}

function floodVerdictLine(f: FloodSummary): string {
  const under = `${f.mode} under a login flood, ${VARIANT_LABELS[f.variant].replace("flood, ", "")}`;
  if (!f.rpsVsBaseline) return `${under}: no rounds to compare with its no-flood runs`;
  return (
    `${under}: ${fmtComparison(f.rpsVsBaseline)} of its no-flood read throughput` +
    ` (p=${fmtP(f.rpsVsBaseline.p)}), p99 ${fmtComparison(f.p99VsBaseline)}`
  );
}

function verdictLine(s: ModeSummary): string {
  const baseline: LoadMode = s.mode === "none" ? "ceiling" : "none";
  const comparison = s.mode === "none" ? s.vsCeiling : s.vsNone;
  if (!comparison) return `${s.mode}: no comparison with ${baseline} in these results`;
  const p = `p=${fmtP(comparison.p)}`;
  if (!comparison.significant) {
    return `${s.mode}: no significant difference from ${baseline} (${p}, ${fmtComparison(comparison)})`;
  }
  const ci = fmtInterval(comparison.ci, fmtFixed2) + coverageNote(comparison.ciCoverage);
  return `${s.mode}: ${fmtRatio(comparison.ratio)} ${baseline} throughput ${ci}, significant (${p})`;
}

/** Throughput of `none` against the ceiling, and of every cache against `none`. */
export function verdictLines(results: LoadResults): string[] {
  return [
    ...results.summaries.filter((s) => s.mode !== "ceiling").map(verdictLine),
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
function smallSampleLines(summaries: readonly ModeSummary[]): string[] {
  return summaries.flatMap((s) => {
    const baseline = s.mode === "none" ? "ceiling" : "none";
    const comparison = s.mode === "none" ? s.vsCeiling : s.vsNone;
    if (!comparison || comparison.ciCoverage >= NOMINAL_COVERAGE - 1e-9) return [];
    const what = comparison.method === "paired" ? "paired rounds" : "valid runs";
    return [
      `${s.mode} against ${baseline}: only ${comparison.n} ${what}, so the interval of the ratio` +
        ` covers the true ratio ${fmtPct(comparison.ciCoverage, 1)} of the time, not 95%`,
    ];
  });
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
  for (const s of results.summaries) {
    if (s.spreadTooWide) {
      lines.push(`${s.mode}: throughput spread too wide to conclude: CV ${fmtPct(s.rps?.cv, 0)}`);
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
  lines.push(...smallSampleLines(results.summaries));
  return lines;
}

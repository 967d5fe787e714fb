import {
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
  type TableData,
} from "../report/format.js";
import type { LoadMode, LoadResults, ModeSummary } from "./schema.js";

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

/** The two summary tables, shared by every renderer so they cannot disagree. */
export function summaryRows(results: LoadResults): TableData[] {
  return [throughputTable(results.summaries), costTable(results.summaries)];
}

function verdictLine(s: ModeSummary): string {
  const baseline: LoadMode = s.mode === "none" ? "ceiling" : "none";
  const comparison = s.mode === "none" ? s.vsCeiling : s.vsNone;
  if (!comparison) return `${s.mode}: no comparison with ${baseline} in these results`;
  const p = `p=${fmtP(comparison.p)}`;
  if (!comparison.significant) {
    return `${s.mode}: no significant difference from ${baseline} (${p}, ${fmtComparison(comparison)})`;
  }
  const ci = fmtInterval(comparison.ci, fmtFixed2);
  return `${s.mode}: ${fmtRatio(comparison.ratio)} ${baseline} throughput ${ci}, significant (${p})`;
}

/** Throughput of `none` against the ceiling, and of every cache against `none`. */
export function verdictLines(results: LoadResults): string[] {
  return results.summaries.filter((s) => s.mode !== "ceiling").map(verdictLine);
}

function joinRounds(rounds: readonly number[]): string {
  return `round${rounds.length === 1 ? "" : "s"} ${rounds.join(", ")}`;
}

function smallSampleLines(summaries: readonly ModeSummary[]): string[] {
  const byRuns = new Map<number, { modes: string[]; coverage: number }>();
  for (const s of summaries) {
    if (!s.rps || s.rps.ciCoverage >= 0.95 - 1e-9) continue;
    const group = byRuns.get(s.rps.n) ?? { modes: [], coverage: s.rps.ciCoverage };
    group.modes.push(s.mode);
    byRuns.set(s.rps.n, group);
  }
  return [...byRuns].map(
    ([n, { modes, coverage }]) =>
      `${modes.join(", ")}: only ${n} valid run${n === 1 ? "" : "s"} (fewer than 6), so the ` +
      `95% CI falls back to min–max, which covers the median ${fmtPct(coverage, 0)} of the time`,
  );
}

/** Everything that limits what the numbers can be trusted for. */
export function warningLines(results: LoadResults): string[] {
  const lines: string[] = [];
  for (const run of results.runs) {
    if (run.status === "ok") continue;
    const why = run.reasons.length > 0 ? run.reasons.join("; ") : "no reason recorded";
    lines.push(`${run.mode} round ${run.round} ${run.status}: ${why}`);
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

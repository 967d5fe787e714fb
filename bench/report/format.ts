import type { Comparison, Summary } from "../stats/index.js";
import type { LoadMode, LoadResults, ModeSummary } from "./schema.js";

export const DASH = "–";

export interface TableData {
  title: string;
  header: string[];
  rows: string[][];
}

type Fmt = (x: number | null | undefined) => string;

const missing = (x: number | null | undefined): x is null | undefined =>
  x === null || x === undefined || !Number.isFinite(x);

// Rounds before choosing the unit so 999.96 becomes "1.00k", not "1000".
function scaled(x: number, units: readonly [number, string][]): string {
  const rounded = Number(x.toPrecision(3));
  let [divisor, suffix] = units[0] ?? [1, ""];
  for (const unit of units) if (Math.abs(rounded) >= unit[0]) [divisor, suffix] = unit;
  return `${fmtNum(rounded / divisor)}${suffix}`;
}

/** Three significant digits; integers from 100 up. */
export const fmtNum: Fmt = (x) => {
  if (missing(x)) return DASH;
  if (x === 0) return "0";
  if (Math.abs(x) < 0.001) return x.toExponential(2);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
};

/** Requests per second: "812", "31.2k", "1.23M". */
export const fmtRate: Fmt = (x) =>
  missing(x)
    ? DASH
    : scaled(x, [
        [1, ""],
        [1e3, "k"],
        [1e6, "M"],
      ]);

/** Microseconds: "412 µs", "1.93 ms", "2.10 s". */
export const fmtUs: Fmt = (x) =>
  missing(x)
    ? DASH
    : scaled(x, [
        [1, " µs"],
        [1e3, " ms"],
        [1e6, " s"],
      ]);

/** Binary sizes: "15.6 GiB". */
export const fmtBytes: Fmt = (x) => {
  if (missing(x)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  const power = Math.min(units.length - 1, Math.max(0, Math.floor(Math.log2(x || 1) / 10)));
  return `${fmtNum(x / 1024 ** power)} ${units[power]}`;
};

const fmtFixed2: Fmt = (x) => (missing(x) ? DASH : x.toFixed(2));

export const fmtRatio: Fmt = (x) => (missing(x) ? DASH : `${fmtFixed2(x)}×`);

/** A fraction as a percentage: 0.9412 → "94.1%"; never rounds to a 0% or 100% it is not. */
export function fmtPct(x: number | null | undefined, digits = 1): string {
  if (missing(x)) return DASH;
  const text = (x * 100).toFixed(digits);
  const step = (10 ** -digits).toFixed(digits);
  if (x < 1 && Number(text) >= 100) return `>${(100 - Number(step)).toFixed(digits)}%`;
  if (x > 0 && Number(text) <= 0) return `<${step}%`;
  return `${text}%`;
}

// Two decimals hide nothing above 0.1; below, a third keeps 0.049 apart from 0.05.
export function fmtP(p: number): string {
  if (p < 0.001) return "<0.001";
  return p < 0.1 ? p.toFixed(3) : p.toFixed(2);
}

function fmtInterval([lo, hi]: readonly [number, number], fmt: Fmt): string {
  return `[${fmt(lo)}–${fmt(hi)}]`;
}

/** Median with its 95% CI: "31.2k [30.1k–32.0k]". */
export function fmtCi(summary: Summary | null | undefined, fmt: Fmt): string {
  return summary ? `${fmt(summary.median)} ${fmtInterval(summary.ci, fmt)}` : DASH;
}

/** "0.94× [0.91–0.97]". */
export function fmtComparison(comparison: Comparison | null | undefined): string {
  return comparison
    ? `${fmtRatio(comparison.ratio)} ${fmtInterval(comparison.ci, fmtFixed2)}`
    : DASH;
}

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

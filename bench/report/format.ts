import type { Comparison, Summary } from "../stats/index.js";

export const DASH = "–";

export interface TableData {
  title: string;
  header: string[];
  rows: string[][];
}

export type Fmt = (x: number | null | undefined) => string;

export const missing = (x: number | null | undefined): x is null | undefined =>
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

/** Milliseconds, shown as fmtUs shows them: "4.95 µs", "1.90 ms". */
export const fmtMs: Fmt = (x) => fmtUs(missing(x) ? x : x * 1000);

/** Binary sizes: "15.6 GiB". */
export const fmtBytes: Fmt = (x) => {
  if (missing(x)) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  const power = Math.min(units.length - 1, Math.max(0, Math.floor(Math.log2(x || 1) / 10)));
  return `${fmtNum(x / 1024 ** power)} ${units[power]}`;
};

export const fmtFixed2: Fmt = (x) => (missing(x) ? DASH : x.toFixed(2));

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

export function fmtInterval([lo, hi]: readonly [number, number], fmt: Fmt): string {
  return `[${fmt(lo)}–${fmt(hi)}]`;
}

/** Intervals are labelled 95%; one that covers less (too few runs for 95%) says how much. */
export const NOMINAL_COVERAGE = 0.95;
export const coverageNote = (coverage: number): string =>
  coverage < NOMINAL_COVERAGE - 1e-9 ? ` (${fmtPct(coverage, 0)})` : "";

/** Median with its 95% CI: "31.2k [30.1k–32.0k]", or "… [30.1k–32.0k] (88%)" when it covers less. */
export function fmtCi(summary: Summary | null | undefined, fmt: Fmt): string {
  return summary
    ? `${fmt(summary.median)} ${fmtInterval(summary.ci, fmt)}${coverageNote(summary.ciCoverage)}`
    : DASH;
}

/** The smallest change a comparison's runs could have shown: "±6%", or why none could be. */
export const fmtDetectable = (detectable: number | null | undefined): string =>
  missing(detectable) ? "none (too few runs)" : `±${fmtPct(detectable, detectable < 0.1 ? 1 : 0)}`;

/** "0.94× [0.91–0.97]", or "0.94× [0.91–0.97] (88%)" when its interval covers less than 95%. */
export function fmtComparison(comparison: Comparison | null | undefined): string {
  return comparison
    ? `${fmtRatio(comparison.ratio)} ${fmtInterval(comparison.ci, fmtFixed2)}${coverageNote(comparison.ciCoverage)}`
    : DASH;
}

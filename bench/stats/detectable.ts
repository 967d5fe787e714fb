import { normalCdf } from "./normal.js";
import type { RankTest } from "./ratio.js";
import { at } from "./sample.js";
import { smallestSignedRankP } from "./signed-rank.js";
import { median } from "./summary.js";

/** The power at which a change counts as detectable: found four times in five. */
const DETECTION_POWER = 0.8;
/** MAD × this estimates a normal distribution's standard deviation without its outliers. */
const MAD_TO_SD = 1.4826;

/** z with normalCdf(z) = p, for 0 < p < 1, by bisection: a few uses per report need no more. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be between 0 and 1, got ${p}`);
  let lo = -40;
  let hi = 40;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The smallest two-sided p a Mann-Whitney U test can give with these sample sizes, 2 / C(m+n, m):
 * at or above alpha, no data could ever be significant.
 */
export function smallestP(m: number, n: number): number {
  let combinations = 1;
  for (let i = 1; i <= m; i++) combinations = (combinations * (n + i)) / i;
  return Math.min(1, 2 / combinations);
}

/** A spread that outliers do not inflate: the MAD scaled to a standard deviation, or the SD. */
function robustSd(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = median(xs);
  const mad = median(xs.map((x) => Math.abs(x - m))) * MAD_TO_SD;
  if (mad > 0) return mad;
  const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (xs.length - 1));
}

export interface DetectableOptions {
  alpha?: number;
  /** Index i of each ran in the same round: the spread is that of the per-round ratios. */
  paired?: boolean;
  /** The rank test that would judge the change: its smallest p says whether any could count. */
  test?: RankTest;
}

/**
 * The smallest change, as |ratio − 1|, that runs as spread as these would show as significant
 * four times in five: (z(1 − alpha/2) + z(0.8)) standard errors of the ratio, from the spread of
 * the per-round ratios when paired, of each side's runs relative to B's median otherwise. (Ratios,
 * not their logs: a figure may be 0, like a cache's store lookups.) Null when the runs are too few
 * for the rank test to reach alpha at all. "No significant difference" then reads "no change
 * larger than this".
 */
export function detectableChange(
  a: readonly number[],
  b: readonly number[],
  { alpha = 0.05, paired = a.length === b.length, test = "rank-sum" }: DetectableOptions = {},
): number | null {
  const floor =
    test === "signed-rank" ? smallestSignedRankP(a.length) : smallestP(a.length, b.length);
  if (floor >= alpha) return null;
  const scale = median(b);
  const relative = (xs: readonly number[]) => xs.map((x) => x / scale);
  const se = paired
    ? robustSd(a.map((x, i) => x / at(b, i))) / Math.sqrt(a.length)
    : Math.sqrt(robustSd(relative(a)) ** 2 / a.length + robustSd(relative(b)) ** 2 / b.length);
  if (!Number.isFinite(se)) return null;
  return (normalQuantile(1 - alpha / 2) + normalQuantile(DETECTION_POWER)) * se;
}

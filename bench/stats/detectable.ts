import { medianCiRanks } from "./median-ci.js";
import { normalCdf } from "./normal.js";
import type { RankTest } from "./ratio.js";
import { at } from "./sample.js";
import { signedRank, smallestSignedRankP } from "./signed-rank.js";
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
  /**
   * The tests a gate corrects over (Holm): its first step asks p < alpha / family, so a change
   * must clear that bar to count. 1 for a comparison on its own.
   */
  family?: number;
  /** Index i of each ran in the same round: the spread is that of the per-round ratios. */
  paired?: boolean;
  /** The rank test that would judge the change: its smallest p says whether any could count. */
  test?: RankTest;
}

/** P(X ≤ k) for X ~ Binomial(n, q). */
function binomialCdf(k: number, n: number, q: number): number {
  let term = (1 - q) ** n;
  let total = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (q / (1 - q));
    total += term;
  }
  return total;
}

/**
 * The most rounds of n that may go against a change for the paired gate still to call it: its
 * order-statistic CI at 1 − alpha must exclude 1 (at most lo − 1 rounds on the other side), and
 * its exact signed-rank p must be below alpha / family, which it is at best when the rounds
 * against hold the smallest ranks. Null when not even n rounds all one way would do.
 */
export function roundsAllowedAgainst(n: number, alpha: number, family: number): number | null {
  const bar = alpha / family;
  const byCi = medianCiRanks(n, 1 - alpha).lo - 1;
  let byP = -1;
  for (let j = 0; j <= n; j++) {
    // j rounds against at the smallest ranks: the exact test's p for the best such rounds.
    const { p } = signedRank(Array.from({ length: n }, (_, i) => (i < j ? -(i + 1) : i + 1)));
    if (p >= bar) break;
    byP = j;
  }
  const allowed = Math.min(byCi, byP);
  return allowed < 0 ? null : allowed;
}

/**
 * The paired gate's detectable change for per-round ratios spread as `sd`: the δ at which, with
 * ratios normal around 1 + δ, at most the allowed rounds fall below 1 four times in five. This is
 * what the gate's rule asks, unlike a z-test's standard error, which with 10 rounds claimed
 * changes half this size were seen (the calibration in docs/ab.md).
 */
export function pairedDetectable(
  sd: number,
  n: number,
  alpha: number,
  family: number,
): number | null {
  const allowed = roundsAllowedAgainst(n, alpha, family);
  if (allowed === null || !Number.isFinite(sd)) return null;
  // The share of rounds against at which the allowed count is reached with 80% probability.
  let lo = 0;
  let hi = 0.5;
  for (let i = 0; i < 60; i++) {
    const q = (lo + hi) / 2;
    if (binomialCdf(allowed, n, q) >= DETECTION_POWER) lo = q;
    else hi = q;
  }
  return sd * normalQuantile(1 - lo);
}

/**
 * The smallest change, as |ratio − 1|, that runs as spread as these would show as significant
 * four times in five. Paired and judged by the signed-rank test (bench:ab), by the gate's own rule
 * (pairedDetectable); otherwise (z(1 − alpha/2·family) + z(0.8)) standard errors of the ratio,
 * from each side's runs relative to B's median, or from the per-round ratios when paired. (Ratios,
 * not their logs: a figure may be 0, like a cache's store lookups.) Null when the runs are too few
 * for the rank test to reach alpha at all. "No significant difference" then reads "no change
 * larger than this".
 */
export function detectableChange(
  a: readonly number[],
  b: readonly number[],
  {
    alpha = 0.05,
    family = 1,
    paired = a.length === b.length,
    test = "rank-sum",
  }: DetectableOptions = {},
): number | null {
  const floor =
    test === "signed-rank" ? smallestSignedRankP(a.length) : smallestP(a.length, b.length);
  if (floor >= alpha) return null;
  const ratioSd = paired ? robustSd(a.map((x, i) => x / at(b, i))) : Number.NaN;
  if (paired && test === "signed-rank") return pairedDetectable(ratioSd, a.length, alpha, family);
  const scale = median(b);
  const relative = (xs: readonly number[]) => xs.map((x) => x / scale);
  const se = paired
    ? ratioSd / Math.sqrt(a.length)
    : Math.sqrt(robustSd(relative(a)) ** 2 / a.length + robustSd(relative(b)) ** 2 / b.length);
  if (!Number.isFinite(se)) return null;
  return (normalQuantile(1 - alpha / (2 * family)) + normalQuantile(DETECTION_POWER)) * se;
}

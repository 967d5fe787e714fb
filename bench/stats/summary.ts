import { type Interval, medianCiRanks } from "./median-ci.js";
import { assertSample, at, sortedCopy } from "./sample.js";

export interface Summary {
  n: number;
  median: number;
  /** Distribution-free CI for the median from order statistics. */
  ci: Interval;
  /** Exact coverage of `ci`; below the requested confidence when n is too small to reach it. */
  ciCoverage: number;
  mean: number;
  /** Sample standard deviation (n - 1); NaN when n < 2. */
  stddev: number;
  /** stddev / mean; NaN when n < 2 or mean is 0. */
  cv: number;
  min: number;
  max: number;
}

// Type 7 (R's default): linear interpolation between the order statistics around (n - 1) q.
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const x = at(sorted, lo);
  return lo + 1 < sorted.length ? x + (h - lo) * (at(sorted, lo + 1) - x) : x;
}

export function quantile(xs: readonly number[], q: number): number {
  assertSample(xs);
  if (!(Number.isFinite(q) && q >= 0 && q <= 1)) {
    throw new RangeError(`q must be within [0, 1], got ${q}`);
  }
  return quantileOfSorted(sortedCopy(xs), q);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

export function mean(xs: readonly number[]): number {
  assertSample(xs);
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

export function stddev(xs: readonly number[]): number {
  const m = mean(xs);
  if (xs.length < 2) return Number.NaN;
  // Two-pass on deviations: the one-pass sum-of-squares formula cancels catastrophically for
  // timings that are large relative to their spread.
  let squares = 0;
  for (const x of xs) squares += (x - m) ** 2;
  return Math.sqrt(squares / (xs.length - 1));
}

export function cv(xs: readonly number[]): number {
  const m = mean(xs);
  if (xs.length < 2 || m === 0) return Number.NaN;
  return stddev(xs) / m;
}

/** summarize(), or null for no values. */
export const summaryOf = (xs: readonly number[]): Summary | null =>
  xs.length > 0 ? summarize(xs) : null;

export function summarize(xs: readonly number[], confidence = 0.95): Summary {
  assertSample(xs);
  const sorted = sortedCopy(xs);
  const n = sorted.length;
  const ranks = medianCiRanks(n, confidence);
  return {
    n,
    median: quantileOfSorted(sorted, 0.5),
    ci: [at(sorted, ranks.lo - 1), at(sorted, ranks.hi - 1)],
    ciCoverage: ranks.coverage,
    mean: mean(sorted),
    stddev: stddev(sorted),
    cv: cv(sorted),
    min: at(sorted, 0),
    max: at(sorted, n - 1),
  };
}

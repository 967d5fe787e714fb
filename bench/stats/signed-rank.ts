import { assertSample, at } from "./sample.js";

export interface SignedRankResult {
  /** Sum of the (mid)ranks of |d| over the positive differences: R's V, scipy's r_plus. */
  v: number;
  /** Differences that were not zero: what the test rests on (zeros carry no sign). */
  n: number;
  /** Two-sided p-value in (0, 1]: exact, from every sign assignment of the ranks, ties or not. */
  p: number;
}

/**
 * P(2V = s) under H0 when each rank's sign is a fair coin: V sums a random subset of the
 * ranks. Doubled midranks are integers, so ties need no approximation; probabilities rather than
 * counts because 2^n passes exact float integers past n = 53.
 */
function signedRankDistribution(doubledRanks: readonly number[]): Float64Array {
  const maxSum = doubledRanks.reduce((total, r) => total + r, 0);
  let dist = new Float64Array(maxSum + 1);
  dist[0] = 1;
  let reach = 0;
  for (const rank of doubledRanks) {
    const next = new Float64Array(maxSum + 1);
    for (let s = 0; s <= reach; s++) {
      const p = at(dist, s) / 2;
      next[s] = at(next, s) + p;
      next[s + rank] = at(next, s + rank) + p;
    }
    reach += rank;
    dist = next;
  }
  return dist;
}

/**
 * Wilcoxon's signed-rank test of differences against 0, two-sided and exact: zeros are dropped
 * (Wilcoxon's own rule, as R and scipy's default do), the rest ranked by |d| with midranks for
 * ties, and p counted over all 2^n equally likely sign assignments of those ranks. For a
 * paired A/B, d is each round's log ratio: a pair's sign and size, not its run's level.
 */
export function signedRank(differences: readonly number[]): SignedRankResult {
  assertSample(differences, "differences");
  const nonZero = differences.filter((d) => d !== 0).sort((x, y) => Math.abs(x) - Math.abs(y));
  const n = nonZero.length;
  if (n === 0) return { v: 0, n: 0, p: 1 };
  const doubledRanks: number[] = [];
  let doubledV = 0;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && Math.abs(at(nonZero, end)) === Math.abs(at(nonZero, start))) end++;
    // Ranks start+1 .. end share their average; doubled, it is an integer.
    const doubled = start + 1 + end;
    for (let i = start; i < end; i++) {
      doubledRanks.push(doubled);
      if (at(nonZero, i) > 0) doubledV += doubled;
    }
    start = end;
  }
  const dist = signedRankDistribution(doubledRanks);
  let lower = 0;
  let upper = 0;
  for (let s = 0; s < dist.length; s++) {
    if (s <= doubledV) lower += at(dist, s);
    if (s >= doubledV) upper += at(dist, s);
  }
  return { v: doubledV / 2, n, p: Math.min(1, 2 * Math.min(lower, upper)) };
}

/** The smallest two-sided p a signed-rank test of n pairs can give: every sign alike, 2 / 2^n. */
export const smallestSignedRankP = (n: number): number => Math.min(1, 2 / 2 ** n);

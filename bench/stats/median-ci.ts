import { assertProbability, assertSample, at, sortedCopy } from "./sample.js";

export type Interval = [lo: number, hi: number];

export interface OrderStatisticRanks {
  /** 1-based rank of the lower bound. */
  lo: number;
  /** 1-based rank of the upper bound, n + 1 - lo. */
  hi: number;
  /** Exact P(X_(lo) <= median <= X_(hi)) for a continuous distribution. */
  coverage: number;
}

export interface MedianCi {
  ci: Interval;
  ciCoverage: number;
}

// Tolerates rounding in 1 - 2 * cdf when the confidence is itself a dyadic rational (0.75, ...).
const COVERAGE_EPSILON = 1e-12;

// Lower-tail probabilities P(B <= i) for B ~ Binomial(n, 1/2), i = 0 .. floor(n / 2).
// Direct products keep small-n values exact (they are dyadic); above ~1000 2^-n underflows, so
// the terms are built in log space instead.
function binomialHalfLowerTail(n: number): number[] {
  const half = Math.floor(n / 2);
  const tail: number[] = [];
  let cumulative = 0;
  if (n <= 1000) {
    let pmf = 2 ** -n;
    for (let i = 0; i <= half; i++) {
      cumulative += pmf;
      tail.push(cumulative);
      pmf = (pmf * (n - i)) / (i + 1);
    }
  } else {
    let logPmf = -n * Math.LN2;
    for (let i = 0; i <= half; i++) {
      cumulative += Math.exp(logPmf);
      tail.push(cumulative);
      logPmf += Math.log((n - i) / (i + 1));
    }
  }
  return tail;
}

/**
 * Symmetric order-statistic ranks for a distribution-free CI of the median: the narrowest
 * [X_(j), X_(n+1-j)] whose coverage 1 - 2 P(B <= j - 1), B ~ Binomial(n, 1/2), reaches
 * `confidence`. When even [min, max] falls short (n < 6 at 95%), returns j = 1 with the
 * coverage it actually has.
 */
export function medianCiRanks(n: number, confidence = 0.95): OrderStatisticRanks {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`n must be a positive integer, got ${n}`);
  }
  assertProbability(confidence, "confidence");
  const tail = binomialHalfLowerTail(n);
  const coverageAt = (j: number): number => 1 - 2 * at(tail, j - 1);
  let j = 1;
  // Ranks past ceil(n / 2) would cross; coverage there is already 0 so the loop stops before.
  while (j + 1 <= Math.ceil(n / 2) && coverageAt(j + 1) >= confidence - COVERAGE_EPSILON) {
    j++;
  }
  return { lo: j, hi: n + 1 - j, coverage: Math.max(0, coverageAt(j)) };
}

export function medianCi(xs: readonly number[], confidence = 0.95): MedianCi {
  assertSample(xs);
  const sorted = sortedCopy(xs);
  const ranks = medianCiRanks(sorted.length, confidence);
  return {
    ci: [at(sorted, ranks.lo - 1), at(sorted, ranks.hi - 1)],
    ciCoverage: ranks.coverage,
  };
}

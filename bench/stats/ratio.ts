import { detectableChange } from "./detectable.js";
import { mannWhitneyU } from "./mann-whitney.js";
import { type Interval, medianCi } from "./median-ci.js";
import { mulberry32 } from "./prng.js";
import { assertProbability, assertSample, at } from "./sample.js";
import { signedRank } from "./signed-rank.js";
import { cv, median, quantile } from "./summary.js";

export type RatioMethod = "paired" | "bootstrap";

export interface RatioResult {
  /** A relative to B: median of per-round ratios (paired) or median(a) / median(b) (bootstrap). */
  ratio: number;
  ci: Interval;
  /** Exact coverage for "paired" (may fall short of the request at small n); nominal for "bootstrap". */
  ciCoverage: number;
  method: RatioMethod;
  /** The rounds paired ("paired"), or the smaller sample ("bootstrap"): what the CI rests on. */
  n: number;
  /**
   * The coefficient of variation of the per-round ratios: how much the rounds disagree (one
   * round that went its own way counts in full). Null for unpaired samples or a single round.
   */
  ratioSpread: number | null;
}

export interface CompareOptions {
  /** Significance level; the ratio CI is computed at confidence 1 - alpha. */
  alpha?: number;
  /** Minimum |ratio - 1| that counts as a meaningful difference, e.g. 0.05 for 5%. */
  threshold?: number;
  /** Whether index i of a and b ran in the same round; by default, whenever the lengths match. */
  paired?: boolean;
  /**
   * The rank test behind p: Mann-Whitney U over the two samples (the default), or, for paired
   * samples, Wilcoxon's signed-rank over the per-round log ratios, which uses the pairing.
   */
  test?: RankTest;
  /** The tests a gate corrects over: the detectable change is the one that would clear it. */
  family?: number;
}

export type RankTest = "rank-sum" | "signed-rank";

/** Direction of A relative to B. */
export type Verdict = "higher" | "lower" | "no significant difference";

export interface Comparison extends RatioResult {
  /** Two-sided p of the rank test (Mann-Whitney U unless `test` says otherwise). */
  p: number;
  /** Which rank test gave p; absent in results written before there was a choice. */
  test?: RankTest;
  /** p < alpha and the ratio CI excludes 1. */
  significant: boolean;
  /** significant and |ratio - 1| > threshold. */
  beyondThreshold: boolean;
  verdict: Verdict;
  /**
   * The smallest change (|ratio − 1|) runs this spread could have shown, four times in five;
   * null when none could (too few runs). See detectableChange.
   */
  detectable: number | null;
  /**
   * Why no verdict may be drawn from it although the test ran (too noisy: set by the benchmark's
   * noise guard); null from compare() itself.
   */
  withheld: string | null;
}

const BOOTSTRAP_RESAMPLES = 2000;
const BOOTSTRAP_SEED = 0x5eed_2024;

// Ratios of durations or rates are only meaningful for non-negative values, and the divisor
// must be strictly positive so no ratio (or resampled median ratio) is infinite.
function assertRatioInputs(a: readonly number[], b: readonly number[]): void {
  assertSample(a, "a");
  assertSample(b, "b");
  if (a.some((x) => x < 0)) throw new RangeError("a must not contain negative values");
  if (b.some((x) => x <= 0)) throw new RangeError("b must contain only positive values");
}

function medianOfResample(xs: readonly number[], buffer: Float64Array, rng: () => number): number {
  for (let i = 0; i < buffer.length; i++) buffer[i] = at(xs, Math.floor(rng() * xs.length));
  buffer.sort();
  const mid = buffer.length >> 1;
  return buffer.length % 2 === 1 ? at(buffer, mid) : (at(buffer, mid - 1) + at(buffer, mid)) / 2;
}

function bootstrapRatioCi(
  a: readonly number[],
  b: readonly number[],
  confidence: number,
): Interval {
  const rng = mulberry32(BOOTSTRAP_SEED);
  const bufferA = new Float64Array(a.length);
  const bufferB = new Float64Array(b.length);
  const ratios: number[] = [];
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    const numerator = medianOfResample(a, bufferA, rng);
    ratios.push(numerator / medianOfResample(b, bufferB, rng));
  }
  const tail = (1 - confidence) / 2;
  return [quantile(ratios, tail), quantile(ratios, 1 - tail)];
}

/**
 * How A compares with B as a ratio. Equal lengths are taken to be interleaved rounds (index i
 * of each ran in the same round), so per-round ratios cancel drift shared by a round; otherwise,
 * or when `paired` is false (two separate benchmarks), the samples are independent and bootstrapped.
 */
export function ratioOfMedians(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
  paired = a.length === b.length,
): RatioResult {
  assertRatioInputs(a, b);
  assertProbability(confidence, "confidence");
  if (paired && a.length !== b.length) {
    throw new RangeError(`paired samples must have equal lengths, got ${a.length} and ${b.length}`);
  }
  if (paired) {
    const ratios = a.map((x, i) => x / at(b, i));
    const { ci, ciCoverage } = medianCi(ratios, confidence);
    const middle = median(ratios);
    return {
      ratio: middle,
      ci,
      ciCoverage,
      method: "paired",
      n: ratios.length,
      ratioSpread: ratios.length > 1 ? cv(ratios) : null,
    };
  }
  return {
    ratio: median(a) / median(b),
    ci: bootstrapRatioCi(a, b, confidence),
    ciCoverage: confidence,
    method: "bootstrap",
    n: Math.min(a.length, b.length),
    ratioSpread: null,
  };
}

/**
 * Decides whether A differs from B. Requires both a rank test and the ratio CI to agree, so a
 * tiny p from many runs with a CI straddling 1 (or the reverse) is not reported as a change.
 */
export function compare(
  a: readonly number[],
  b: readonly number[],
  options: CompareOptions = {},
): Comparison {
  const { alpha = 0.05, threshold = 0, paired = a.length === b.length } = options;
  const test = options.test ?? "rank-sum";
  assertProbability(alpha, "alpha");
  if (test === "signed-rank" && !(paired && a.every((x) => x > 0))) {
    throw new RangeError("the signed-rank test needs paired, positive values: it ranks log ratios");
  }
  if (!(Number.isFinite(threshold) && threshold >= 0)) {
    throw new RangeError(`threshold must be a finite non-negative number, got ${threshold}`);
  }
  const ratio = ratioOfMedians(a, b, 1 - alpha, paired);
  const { p } =
    test === "signed-rank"
      ? signedRank(a.map((x, i) => Math.log(x / at(b, i))))
      : mannWhitneyU(a, b);
  const [lo, hi] = ratio.ci;
  const significant = p < alpha && (lo > 1 || hi < 1);
  const verdict: Verdict = !significant ? "no significant difference" : lo > 1 ? "higher" : "lower";
  return {
    ...ratio,
    p,
    test,
    significant,
    beyondThreshold: significant && Math.abs(ratio.ratio - 1) > threshold,
    verdict,
    detectable: detectableChange(a, b, { alpha, paired, test, family: options.family ?? 1 }),
    withheld: null,
  };
}

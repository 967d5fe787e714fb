export {
  detectableChange,
  normalQuantile,
  pairedDetectable,
  roundsAllowedAgainst,
  smallestP,
} from "./detectable.js";
export { holm } from "./holm.js";
export type { MannWhitneyResult } from "./mann-whitney.js";
export { mannWhitneyU, mannWhitneyUDistribution } from "./mann-whitney.js";
export type { Interval, MedianCi, OrderStatisticRanks } from "./median-ci.js";
export { medianCi, medianCiRanks } from "./median-ci.js";
export { normalCdf } from "./normal.js";
export { mulberry32 } from "./prng.js";
export type {
  CompareOptions,
  Comparison,
  RankTest,
  RatioMethod,
  RatioResult,
  Verdict,
} from "./ratio.js";
export { compare, ratioOfMedians } from "./ratio.js";
export type { SignedRankResult } from "./signed-rank.js";
export { signedRank, smallestSignedRankP } from "./signed-rank.js";
export type { Summary } from "./summary.js";
export { cv, mean, median, quantile, stddev, summarize, summaryOf } from "./summary.js";

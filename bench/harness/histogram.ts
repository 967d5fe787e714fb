import hdr from "hdr-histogram-js";

/** Percentiles of one run's times, in microseconds. */
export interface LatencyUs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export type Histogram = hdr.Histogram;

/** Microseconds from 1 µs to 120 s at three significant digits: enough for any run's tail. */
export function microsecondHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** The histogram's percentiles (null when it is empty); the histogram is freed. */
export function percentilesOf(histogram: Histogram): LatencyUs | null {
  const latency =
    histogram.totalCount > 0
      ? {
          p50: histogram.getValueAtPercentile(50),
          p90: histogram.getValueAtPercentile(90),
          p99: histogram.getValueAtPercentile(99),
          p999: histogram.getValueAtPercentile(99.9),
          max: histogram.maxValue,
          mean: histogram.mean,
        }
      : null;
  histogram.destroy();
  return latency;
}

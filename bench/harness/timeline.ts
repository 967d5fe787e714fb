import { performance } from "node:perf_hooks";
import { type Histogram, microsecondHistogram, percentilesOf } from "./histogram.js";
import { type MetricsSnapshot, scrapeMetrics } from "./server-metrics.js";

/** One slice of a run: what the store and the cache did, and how long answers took. */
export interface TimelineBin {
  /** The bin's start, ms after the run's. */
  atMs: number;
  /** Answers received in the bin. */
  requests: number;
  /** Of them, answers with a status outside 2xx; null in files from before they were counted. */
  non2xx: number | null;
  /** Session lookups the store served per second; null where no two scrapes bracket the bin. */
  storeLookupsPerSecond: number | null;
  /** Cache hits of the cache's reads in the bin; null without reads (none). */
  hitRatio: number | null;
  p99Us: number | null;
}

/** The width of a bin: fine enough to see a cache fill within a second. */
export const BIN_MS = 100;

interface Scrape {
  atMs: number;
  lookups: number;
  hits: number;
  reads: number;
}

const counters = (snapshot: MetricsSnapshot, atMs: number): Scrape => {
  const cache = (result: string) =>
    snapshot.get(`acb_cache_lookups_total{result="${result}"}`) ?? 0;
  return {
    atMs,
    lookups: snapshot.get('acb_store_lookups_total{op="session"}') ?? 0,
    hits: cache("hit"),
    reads: cache("hit") + cache("miss") + cache("error"),
  };
};

/** What the last scrapes at or before each end of a bin say: lookups per second, hit ratio. */
function binOf(scrapes: readonly Scrape[], start: number, end: number) {
  const at = (t: number) => scrapes.filter((s) => s.atMs <= t).at(-1);
  const [from, to] = [at(start) ?? scrapes[0], at(end)];
  if (!from || !to || to.atMs <= from.atMs) return { storeLookupsPerSecond: null, hitRatio: null };
  const reads = to.reads - from.reads;
  return {
    storeLookupsPerSecond: ((to.lookups - from.lookups) * 1000) / (to.atMs - from.atMs),
    hitRatio: reads > 0 ? (to.hits - from.hits) / reads : null,
  };
}

/**
 * Records a run in BIN_MS bins: every answer's latency into its bin's histogram, and the
 * server's /metrics scraped every bin (a scrape still on its way is not doubled). A scrape is
 * answered among the load's requests, so its time is when it was answered, as it should be.
 */
export function recordTimeline(url: string): {
  onResponse(latencyUs: number, status: number): void;
  stop(): Promise<TimelineBin[]>;
} {
  const start = performance.now();
  const bins = new Map<number, Histogram>();
  const failed = new Map<number, number>();
  const scrapes: Scrape[] = [];
  let pending: Promise<void> | null = null;
  const scrape = () => {
    pending ??= scrapeMetrics(url)
      .then((snapshot) => {
        if (snapshot) scrapes.push(counters(snapshot, performance.now() - start));
      })
      .finally(() => {
        pending = null;
      });
  };
  scrape();
  const timer = setInterval(scrape, BIN_MS);
  return {
    onResponse(latencyUs, status) {
      const bin = Math.floor((performance.now() - start) / BIN_MS);
      if (status < 200 || status >= 300) failed.set(bin, (failed.get(bin) ?? 0) + 1);
      let histogram = bins.get(bin);
      if (!histogram) {
        histogram = microsecondHistogram();
        bins.set(bin, histogram);
      }
      histogram.recordValue(latencyUs);
    },
    async stop() {
      clearInterval(timer);
      await pending;
      scrape();
      await pending;
      const last = Math.max(-1, ...bins.keys());
      return Array.from({ length: last + 1 }, (_, bin) => {
        const histogram = bins.get(bin);
        const requests = histogram?.totalCount ?? 0;
        const latency = histogram ? percentilesOf(histogram) : null;
        return {
          atMs: bin * BIN_MS,
          requests,
          non2xx: failed.get(bin) ?? 0,
          ...binOf(scrapes, bin * BIN_MS, (bin + 1) * BIN_MS),
          p99Us: latency?.p99 ?? null,
        };
      });
    },
  };
}

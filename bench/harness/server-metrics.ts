/** From the server's /metrics, scraped right before and right after the measured window. */
export interface ServerSample {
  /** Requests answered, /metrics itself not counted. */
  requests: number;
  cpuSeconds: number;
  cpuUsPerRequest: number;
  rssBytes: number;
  /** Token cache entries in the server's memory at the second scrape; null: not exposed. */
  cacheLocalEntries: number | null;
  eventLoopDelayP99Ms: number;
  cache: { hit: number; miss: number; revoked: number; error: number; bypass: number };
  /** hit / (hit + miss + error); null when the mode has no cache. */
  hitRatio: number | null;
  storeLookups: number;
  storeLookupsPerRequest: number;
  /** A session lookup's mean time, asked to answered (the store's distance); null: none, or not exposed. */
  sessionLookupMs: number | null;
  /** The mean delay --origin-latency-ms really added per read; null: none added. */
  addedDelayMs: number | null;
}

/** Sample name with its labels, exactly as exposed, mapped to its value. */
export type MetricsSnapshot = Map<string, number>;

export function parsePrometheus(text: string): MetricsSnapshot {
  const samples: MetricsSnapshot = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    const value = Number(line.slice(space + 1));
    if (space > 0 && Number.isFinite(value)) samples.set(line.slice(0, space), value);
  }
  return samples;
}

/** The server's /metrics, or null when the target does not expose ours. */
/** The reference server's request counter. */
const REQUESTS = "acb_http_requests_total";
/**
 * The prefix of every metric of the reference server, some (its gauges) there from the start: the
 * mark of its /metrics, before any request has been counted.
 */
const OURS = "acb_";

/** A Prometheus page, parsed; null when it does not answer within 5 s, or not with 2xx. */
export async function readPrometheus(url: string): Promise<MetricsSnapshot | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok ? parsePrometheus(await response.text()) : null;
  } catch {
    return null;
  }
}

export async function scrapeMetrics(baseUrl: string): Promise<MetricsSnapshot | null> {
  const snapshot = await readPrometheus(`${baseUrl}/metrics`);
  if (!snapshot) return null;
  // Another server's /metrics, even with the standard process counters, lacks ours: read as
  // ours it would show zero lookups and zero cache reads, where the truth is "not measured".
  const ours = [...snapshot.keys()].some((name) => name.startsWith(OURS));
  return snapshot.has("process_cpu_seconds_total") && ours ? snapshot : null;
}

const sum = (snapshot: MetricsSnapshot, prefix: string, skip?: (name: string) => boolean) => {
  let total = 0;
  for (const [name, value] of snapshot) {
    if (name.startsWith(prefix) && !skip?.(name)) total += value;
  }
  return total;
};

/** What happened on the server between two scrapes. Requests to /metrics itself are not counted. */
export function serverSample(before: MetricsSnapshot, after: MetricsSnapshot): ServerSample {
  const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
  const requests =
    sum(after, `${REQUESTS}{`, (name) => name.includes('route="/metrics"')) -
    sum(before, `${REQUESTS}{`, (name) => name.includes('route="/metrics"'));
  const lookups = (result: string) => delta(`acb_cache_lookups_total{result="${result}"}`);
  const cache = {
    hit: lookups("hit"),
    miss: lookups("miss"),
    revoked: lookups("revoked"),
    error: lookups("error"),
    bypass: lookups("bypass"),
  };
  const cacheReads = cache.hit + cache.miss + cache.error;
  const storeLookups =
    sum(after, "acb_store_lookups_total{") - sum(before, "acb_store_lookups_total{");
  const cpuSeconds = delta("process_cpu_seconds_total");
  const perEvent = (seconds: string, count: string) => {
    const events = delta(count);
    return events > 0 && after.has(seconds) ? (delta(seconds) * 1000) / events : null;
  };
  return {
    requests,
    cpuSeconds,
    cpuUsPerRequest: requests > 0 ? (cpuSeconds * 1e6) / requests : 0,
    rssBytes: after.get("process_resident_memory_bytes") ?? 0,
    cacheLocalEntries: after.get("acb_cache_local_entries") ?? null,
    eventLoopDelayP99Ms: (after.get('acb_eventloop_delay_seconds{quantile="0.99"}') ?? 0) * 1000,
    cache,
    hitRatio: cacheReads > 0 ? cache.hit / cacheReads : null,
    storeLookups,
    storeLookupsPerRequest: requests > 0 ? storeLookups / requests : 0,
    sessionLookupMs: perEvent(
      "acb_store_session_lookup_seconds_total",
      'acb_store_lookups_total{op="session"}',
    ),
    addedDelayMs: perEvent("acb_store_added_delay_seconds_total", "acb_store_added_delays_total"),
  };
}

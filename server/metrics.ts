import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { HashGateEvents } from "./auth/hash-gate.js";
import type { LoginGuardEvents } from "./auth/login-guard.js";
import type { CacheEvents, CacheOp, Lookup } from "./cache/token-cache.js";

type LookupKind = Lookup["kind"];
const LOOKUP_KINDS: readonly LookupKind[] = ["hit", "miss", "revoked", "error", "bypass"];
const CACHE_OPS: readonly CacheOp[] = ["get", "fill", "invalidate"];
/** version: a jwt-version token's user; denylist: a jwt-denylist token's entry in Redis. */
const STORE_OPS = ["session", "user", "version", "denylist"] as const;
export type StoreOp = (typeof STORE_OPS)[number];
const LOOP_RESOLUTION_MS = 10;

export interface Metrics extends CacheEvents, HashGateEvents, LoginGuardEvents {
  request(method: string, route: string, status: number): void;
  cacheLookup(kind: LookupKind): void;
  storeLookup(op: StoreOp): void;
  storeError(): void;
  /** A cache miss that joined a store lookup already on its way for the same token. */
  storeLookupShared(): void;
  /**
   * How long one session (or token version) lookup took, from asking the store to its answer,
   * added delay included.
   */
  sessionLookupTime(ms: number): void;
  /** The delay --origin-latency-ms really added to one store read. */
  addedDelay(ms: number): void;
  /** Where the cache-entries gauge reads from, once the cache exists. */
  watchCache(entries: () => number): void;
  /** Prometheus text exposition; the event-loop delay window restarts at every scrape. */
  render(): Promise<string>;
  /** The Content-Type of render()'s text. */
  readonly contentType: string;
  close(): void;
}

let processRegistry: Registry | undefined;
/**
 * prom-client's default process and Node metrics (process_cpu_seconds_total, RSS, heap, GC …):
 * one set per process, however many apps it builds, since each set starts monitors that are
 * never stopped.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

type Tally<K> = Map<K, number>;
const bump = <K>(tally: Tally<K>, key: K) => tally.set(key, (tally.get(key) ?? 0) + 1);
const tallyOf = <K>(keys: readonly K[]): Tally<K> => new Map(keys.map((key) => [key, 0]));

/**
 * A counter whose value is read from a tally at scrape time. The request path only bumps a Map
 * entry (0.05 µs for the two a cached request pays, measured in bench:micro); prom-client's own
 * labelled inc() hashes its labels on every call, 0.28 µs each, which would have doubled what the
 * counters cost a request against the 0.5 µs budget.
 */
function tallyCounter<K>(
  registry: Registry,
  spec: { name: string; help: string; labelNames: string[] },
  tally: Tally<K>,
  labelsOf: (key: K) => Record<string, string>,
): void {
  new Counter({
    ...spec,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, count] of tally) this.inc(labelsOf(key), count);
    },
  });
}

export function createMetrics(info: Record<string, string>): Metrics {
  // Keyed by "METHOD route status": one string concatenation per request, no label objects.
  const requests: Tally<string> = new Map();
  const lookups = tallyOf(LOOKUP_KINDS);
  const cacheErrors = tallyOf(CACHE_OPS);
  const storeLookups = tallyOf(STORE_OPS);
  let storeErrors = 0;
  let sharedLookups = 0;
  const timed = { sessionMs: 0, addedMs: 0, added: 0 };
  const hashing = { running: 0, peak: 0, rejected: 0 };
  const throttled = tallyOf(["address", "account"] as const);
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  const app = new Registry();
  new Gauge({
    name: "acb_info",
    help: "Configuration of this server.",
    labelNames: Object.keys(info),
    registers: [app],
  }).set(info, 1);
  tallyCounter(
    app,
    {
      name: "acb_http_requests_total",
      help: "HTTP requests answered, by method, route and status.",
      labelNames: ["method", "route", "status"],
    },
    requests,
    (key) => {
      const [method = "", route = "", status = ""] = key.split(" ");
      return { method, route, status };
    },
  );
  tallyCounter(
    app,
    {
      name: "acb_cache_lookups_total",
      help: "Token cache reads by outcome: hit, miss, revoked, error (fell through to the store), bypass (cache off or not trusted).",
      labelNames: ["result"],
    },
    lookups,
    (result) => ({ result }),
  );
  tallyCounter(
    app,
    {
      name: "acb_cache_errors_total",
      help: "Token cache operations that failed, by operation.",
      labelNames: ["op"],
    },
    cacheErrors,
    (op) => ({ op }),
  );
  tallyCounter(
    app,
    {
      name: "acb_store_lookups_total",
      help: "Reads from the source of truth, by what was looked up.",
      labelNames: ["op"],
    },
    storeLookups,
    (op) => ({ op }),
  );
  new Counter({
    name: "acb_store_errors_total",
    help: "Store operations that failed.",
    registers: [app],
    collect() {
      this.reset();
      this.inc(storeErrors);
    },
  });
  new Counter({
    name: "acb_store_lookups_shared_total",
    help: "Cache misses that joined a store lookup already on its way for the same token (single-flight) instead of sending their own.",
    registers: [app],
    collect() {
      this.reset();
      this.inc(sharedLookups);
    },
  });
  new Counter({
    name: "acb_store_session_lookup_seconds_total",
    help: 'Time session lookups took, from asking the store to its answer (added delay included): the store\'s distance, per lookup when divided by acb_store_lookups_total{op="session"}.',
    registers: [app],
    collect() {
      this.reset();
      this.inc(timed.sessionMs / 1000);
    },
  });
  new Counter({
    name: "acb_store_added_delay_seconds_total",
    help: "Delay --origin-latency-ms really added to store reads (timers fire late), over acb_store_added_delays_total reads.",
    registers: [app],
    collect() {
      this.reset();
      this.inc(timed.addedMs / 1000);
    },
  });
  new Counter({
    name: "acb_store_added_delays_total",
    help: "Store reads --origin-latency-ms delayed.",
    registers: [app],
    collect() {
      this.reset();
      this.inc(timed.added);
    },
  });
  new Gauge({
    name: "acb_password_hashes_running",
    help: "Password hashes (scrypt) being computed now.",
    registers: [app],
    collect() {
      this.set(hashing.running);
    },
  });
  new Gauge({
    name: "acb_password_hashes_peak",
    help: "The most password hashes ever computed at once by this process (bounded by --hash-concurrency).",
    registers: [app],
    collect() {
      this.set(hashing.peak);
    },
  });
  new Counter({
    name: "acb_password_hashes_rejected_total",
    help: "Logins answered 503 because hashing was at its bound and its queue full.",
    registers: [app],
    collect() {
      this.reset();
      this.inc(hashing.rejected);
    },
  });
  tallyCounter(
    app,
    {
      name: "acb_logins_throttled_total",
      help: "Logins answered 429, by what was throttled: the client address or the account.",
      labelNames: ["by"],
    },
    throttled,
    (by) => ({ by }),
  );
  let cacheEntries = () => 0;
  new Gauge({
    name: "acb_cache_local_entries",
    help: "Token cache entries held in this process's memory, tombstones included (Redis holds the shared tier's).",
    registers: [app],
    collect() {
      this.set(cacheEntries());
    },
  });
  // prom-client's nodejs_eventloop_lag_* include the monitor's own resolution; this one does not.
  new Gauge({
    name: "acb_eventloop_delay_seconds",
    help: "Event-loop delay since the previous scrape of this endpoint, by quantile.",
    labelNames: ["quantile"],
    registers: [app],
    collect() {
      // The histogram records whole timer intervals; the delay is what exceeds the resolution.
      const seconds = (ns: number) => Math.max(0, ns - LOOP_RESOLUTION_MS * 1e6) / 1e9;
      for (const q of [0.5, 0.9, 0.99]) {
        this.set({ quantile: String(q) }, seconds(loopDelay.percentile(q * 100)));
      }
      this.set({ quantile: "1" }, seconds(loopDelay.max));
      loopDelay.reset();
    },
  });
  const registry = Registry.merge([processMetrics(), app]);

  return {
    request: (method, route, status) => bump(requests, `${method} ${route} ${status}`),
    cacheLookup: (kind) => bump(lookups, kind),
    storeLookup: (op) => bump(storeLookups, op),
    storeError: () => {
      storeErrors += 1;
    },
    storeLookupShared: () => {
      sharedLookups += 1;
    },
    sessionLookupTime: (ms) => {
      timed.sessionMs += ms;
    },
    addedDelay: (ms) => {
      timed.addedMs += ms;
      timed.added += 1;
    },
    watchCache: (entries) => {
      cacheEntries = entries;
    },
    error: (op) => bump(cacheErrors, op),
    hashStarted: (running) => {
      hashing.running = running;
      hashing.peak = Math.max(hashing.peak, running);
    },
    hashFinished: (running) => {
      hashing.running = running;
    },
    hashRejected: () => {
      hashing.rejected += 1;
    },
    loginThrottled: (by) => bump(throttled, by),
    render: () => registry.metrics(),
    contentType: registry.contentType,
    close: () => loopDelay.disable(),
  };
}

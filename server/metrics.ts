import { monitorEventLoopDelay } from "node:perf_hooks";
import type { CacheEvents, CacheOp, Lookup } from "./cache/token-cache.js";

type LookupKind = Lookup["kind"];
const LOOKUP_KINDS: readonly LookupKind[] = ["hit", "miss", "revoked", "error", "bypass"];
const CACHE_OPS: readonly CacheOp[] = ["get", "fill", "invalidate"];
const LOOP_RESOLUTION_MS = 10;
export type StoreOp = "session" | "user";

export interface Metrics extends CacheEvents {
  request(method: string, route: string, status: number): void;
  cacheLookup(kind: LookupKind): void;
  storeLookup(op: StoreOp): void;
  storeError(): void;
  /** Prometheus text exposition; the event-loop delay window restarts at every scrape. */
  render(): string;
  close(): void;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

function family(name: string, type: string, help: string, samples: readonly string[]): string {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join("\n");
}

export function createMetrics(info: Record<string, string>): Metrics {
  // Keyed by "METHOD route status": one string concatenation per request, no label objects.
  const requests = new Map<string, number>();
  const lookups = new Map<LookupKind, number>(LOOKUP_KINDS.map((kind) => [kind, 0]));
  const cacheErrors = new Map<CacheOp, number>(CACHE_OPS.map((op) => [op, 0]));
  const storeLookups = new Map<StoreOp, number>([
    ["session", 0],
    ["user", 0],
  ]);
  let storeErrors = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();

  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  return {
    request: (method, route, status) => bump(requests, `${method} ${route} ${status}`),
    cacheLookup: (kind) => bump(lookups, kind),
    storeLookup: (op) => bump(storeLookups, op),
    storeError: () => {
      storeErrors += 1;
    },
    error: (op) => bump(cacheErrors, op),
    render: () => {
      const cpu = process.cpuUsage();
      const seconds = (ns: number) => (ns / 1e9).toString();
      // The histogram records whole timer intervals; the delay is what exceeds the resolution.
      const delaySeconds = (ns: number) => seconds(Math.max(0, ns - LOOP_RESOLUTION_MS * 1e6));
      const delay = [0.5, 0.9, 0.99].map(
        (q) =>
          `acb_eventloop_delay_seconds${labels({ quantile: String(q) })} ${delaySeconds(loopDelay.percentile(q * 100))}`,
      );
      delay.push(`acb_eventloop_delay_seconds_max ${delaySeconds(loopDelay.max)}`);
      delay.push(
        `acb_eventloop_delay_seconds_mean ${Number.isNaN(loopDelay.mean) ? 0 : delaySeconds(loopDelay.mean)}`,
      );
      loopDelay.reset();
      const text = [
        family("acb_info", "gauge", "Configuration of this server.", [`acb_info${labels(info)} 1`]),
        family(
          "acb_http_requests_total",
          "counter",
          "HTTP requests answered, by method, route and status.",
          [...requests].map(([key, count]) => {
            const [method = "", route = "", status = ""] = key.split(" ");
            return `acb_http_requests_total${labels({ method, route, status })} ${count}`;
          }),
        ),
        family(
          "acb_cache_lookups_total",
          "counter",
          "Token cache reads by outcome: hit, miss, revoked, error (fell through to the store), bypass (cache off or not trusted).",
          [...lookups].map(
            ([result, count]) => `acb_cache_lookups_total${labels({ result })} ${count}`,
          ),
        ),
        family(
          "acb_cache_errors_total",
          "counter",
          "Token cache operations that failed, by operation.",
          [...cacheErrors].map(([op, count]) => `acb_cache_errors_total${labels({ op })} ${count}`),
        ),
        family(
          "acb_store_lookups_total",
          "counter",
          "Reads from the source of truth, by what was looked up.",
          [...storeLookups].map(
            ([op, count]) => `acb_store_lookups_total${labels({ op })} ${count}`,
          ),
        ),
        family("acb_store_errors_total", "counter", "Store operations that failed.", [
          `acb_store_errors_total ${storeErrors}`,
        ]),
        family("process_cpu_user_seconds_total", "counter", "User CPU time of this process.", [
          `process_cpu_user_seconds_total ${cpu.user / 1e6}`,
        ]),
        family("process_cpu_system_seconds_total", "counter", "System CPU time of this process.", [
          `process_cpu_system_seconds_total ${cpu.system / 1e6}`,
        ]),
        family(
          "process_cpu_seconds_total",
          "counter",
          "User and system CPU time of this process.",
          [`process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`],
        ),
        family("process_resident_memory_bytes", "gauge", "Resident set size.", [
          `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
        ]),
        family(
          "acb_eventloop_delay_seconds",
          "summary",
          "Event-loop delay since the previous scrape of this endpoint.",
          delay,
        ),
      ];
      return `${text.join("\n")}\n`;
    },
    close: () => loopDelay.disable(),
  };
}

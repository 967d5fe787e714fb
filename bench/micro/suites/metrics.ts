import { Counter, Registry } from "prom-client";
import { createMetrics } from "../../../server/metrics.js";
import { BATCH, ensure, type SuiteSpec } from "../measure.js";

/**
 * What /metrics costs: the counters every request bumps, and one scrape. prom-client's own
 * labelled inc() is measured beside them because it is why the request path bumps a tally
 * instead (server/metrics.ts): it stays here as the evidence for that choice.
 */
export function metricsSuite(): SuiteSpec {
  const metrics = createMetrics({ cache: "memory" });
  const reference = new Counter({
    name: "acb_reference_requests_total",
    help: "prom-client's labelled counter, for comparison only.",
    labelNames: ["method", "route", "status"],
    registers: [new Registry()],
  });
  return {
    name: "metrics",
    title: "metrics (server/metrics.ts, prom-client)",
    notes: [
      "A request to a cached token bumps two counters (its route and status, the cache hit); the scrape includes prom-client's default process and Node metrics.",
    ],
    tasks: [
      {
        id: "metrics.request",
        name: "counters of a cached request",
        batch: BATCH,
        async: false,
        call: () => {
          metrics.request("GET", "/items/", 200);
          metrics.cacheLookup("hit");
        },
      },
      {
        id: "metrics.prom-inc",
        name: "prom-client inc() ×2 (unused)",
        batch: BATCH,
        async: false,
        call: () => {
          reference.inc({ method: "GET", route: "/items/", status: "200" });
          reference.inc({ method: "GET", route: "/items/", status: "200" });
        },
      },
      {
        id: "metrics.scrape",
        name: "one scrape of /metrics",
        async: true,
        call: async () => {
          const text = await metrics.render();
          ensure(text.includes("process_cpu_seconds_total"), "no process CPU in the scrape");
        },
      },
    ],
    close: async () => metrics.close(),
  };
}

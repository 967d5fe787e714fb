import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps.js";

export function healthRoutes(app: FastifyInstance, { store, cache, config }: RouteDeps): void {
  app.get("/health", async (_request, reply) => {
    const [storeOk, cacheOk] = await Promise.all([
      store.ping().then(
        () => true,
        () => false,
      ),
      cache.healthy(),
    ]);
    // A cache outage degrades speed, not correctness (reads fall through); only the store is fatal.
    if (!storeOk) reply.code(503).header("retry-after", "1");
    return {
      status: !storeOk ? "unavailable" : cacheOk ? "ok" : "degraded",
      store: { kind: config.store, healthy: storeOk },
      cache: { mode: config.cache, healthy: cacheOk },
      auth: config.auth,
    };
  });
}

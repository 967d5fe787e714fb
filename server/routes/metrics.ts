import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps.js";

export function metricsRoutes(app: FastifyInstance, { metrics }: RouteDeps): void {
  app.get("/metrics", async (_request, reply) => {
    reply.type("text/plain; version=0.0.4; charset=utf-8");
    return metrics.render();
  });
}

import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps.js";

export function metricsRoutes(app: FastifyInstance, { metrics }: RouteDeps): void {
  app.get("/metrics", async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.render();
  });
}

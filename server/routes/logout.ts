import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./deps.js";

export function logoutRoutes(app: FastifyInstance, { sessions, authenticate }: RouteDeps): void {
  app.post("/logout", { onRequest: authenticate }, async (request, reply) => {
    // With --auth off there is no token to revoke.
    if (request.tokenHash !== null) await sessions.logout(request.tokenHash);
    reply.code(204);
  });
}

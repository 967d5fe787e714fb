import type { FastifyInstance } from "fastify";
import { presentedOf } from "../auth/hooks.js";
import type { RouteDeps } from "./deps.js";

export function logoutRoutes(app: FastifyInstance, { sessions, authenticate }: RouteDeps): void {
  app.post("/logout", { onRequest: authenticate }, async (request, reply) => {
    // With --auth off there is no token to revoke; with plain JWTs nothing can revoke one.
    await sessions.logout(presentedOf(request));
    reply.code(204);
  });
}

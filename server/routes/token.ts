import type { FastifyInstance, FastifyReply } from "fastify";
import type { IssuedToken } from "../auth/tokens.js";
import { bodyString, type RouteDeps, tokenResponseSchema } from "./deps.js";

/** RFC 6749 section 5.1: token responses must not be cached by anyone on the way. */
export function sendToken(reply: FastifyReply, issued: IssuedToken) {
  reply.header("cache-control", "no-store").header("pragma", "no-cache");
  return { access_token: issued.accessToken, token_type: "bearer", expires_in: issued.expiresIn };
}

export function tokenRoutes(app: FastifyInstance, { sessions }: RouteDeps): void {
  app.post<{ Body: { username: string; password: string } }>(
    "/token",
    {
      schema: {
        body: {
          type: "object",
          required: ["username", "password"],
          properties: { username: bodyString(1, 128), password: bodyString(1, 1024) },
        },
        response: { 200: tokenResponseSchema },
      },
    },
    async (request, reply) =>
      sendToken(
        reply,
        await sessions.login(request.body.username, request.body.password, request.ip),
      ),
  );
}

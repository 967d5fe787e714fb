import type { FastifyInstance } from "fastify";
import { presentedOf, principalOf } from "../auth/hooks.js";
import { bodyString, type RouteDeps, tokenResponseSchema } from "./deps.js";
import { sendToken } from "./token.js";

export function userRoutes(app: FastifyInstance, { sessions, authenticate }: RouteDeps): void {
  app.get(
    "/user/",
    {
      onRequest: authenticate,
      schema: {
        // The response schema is the guarantee: fields not listed here are never serialised.
        response: {
          200: {
            type: "object",
            required: ["username", "role"],
            additionalProperties: false,
            properties: { username: { type: "string" }, role: { type: "string" } },
          },
        },
      },
    },
    async (request) => {
      const { username, role } = principalOf(request);
      return { username, role };
    },
  );

  app.post<{ Body: { old_password: string; new_password: string } }>(
    "/user/password",
    {
      onRequest: authenticate,
      schema: {
        body: {
          type: "object",
          required: ["old_password", "new_password"],
          properties: { old_password: bodyString(1, 1024), new_password: bodyString(8, 1024) },
        },
        response: { 200: tokenResponseSchema },
      },
    },
    async (request, reply) =>
      sendToken(
        reply,
        await sessions.changePassword(
          principalOf(request),
          presentedOf(request),
          request.body.old_password,
          request.body.new_password,
        ),
      ),
  );
}

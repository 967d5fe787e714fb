import type { FastifyInstance } from "fastify";
import { principalOf, requireRole } from "../auth/hooks.js";
import { type NewItem, VISIBILITIES } from "../items.js";
import { bodyString, type RouteDeps } from "./deps.js";

const itemSchema = {
  type: "object",
  required: ["id", "name", "description", "visibility", "created_by"],
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    description: { type: "string" },
    visibility: { type: "string" },
    created_by: { type: "string" },
  },
} as const;

export function itemRoutes(app: FastifyInstance, { catalog, authenticate }: RouteDeps): void {
  app.get(
    "/items/",
    {
      onRequest: authenticate,
      schema: {
        response: {
          200: {
            type: "object",
            required: ["items"],
            properties: { items: { type: "array", items: itemSchema } },
          },
        },
      },
    },
    async (request) => ({ items: catalog.list(principalOf(request).role) }),
  );

  app.post<{ Body: NewItem }>(
    "/items/",
    {
      // Both run before the body is read: a caller without the role never gets it parsed.
      onRequest: [authenticate, requireRole("admin")],
      schema: {
        body: {
          type: "object",
          required: ["name"],
          properties: {
            name: bodyString(1, 100),
            description: bodyString(0, 1000),
            visibility: { type: "string", enum: VISIBILITIES },
          },
        },
        response: { 201: itemSchema },
      },
    },
    async (request, reply) => {
      reply.code(201);
      return catalog.add(request.body, principalOf(request).username);
    },
  );
}

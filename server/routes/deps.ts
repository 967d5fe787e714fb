import type { onRequestHookHandler } from "fastify";
import type { Sessions } from "../auth/sessions.js";
import type { TokenCache } from "../cache/token-cache.js";
import type { Config } from "../config.js";
import type { Catalog } from "../items.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";

/** What routes may use; they never see SQLite or ioredis. */
export interface RouteDeps {
  config: Config;
  sessions: Sessions;
  catalog: Catalog;
  metrics: Metrics;
  store: Store;
  cache: TokenCache;
  /** The onRequest hook that sets request.principal: bearer checks, or the fixed user with --auth off. */
  authenticate: onRequestHookHandler;
}

export const tokenResponseSchema = {
  type: "object",
  required: ["access_token", "token_type", "expires_in"],
  properties: {
    access_token: { type: "string" },
    token_type: { type: "string" },
    expires_in: { type: "integer" },
  },
} as const;

export const bodyString = (minLength: number, maxLength: number) =>
  ({ type: "string", minLength, maxLength }) as const;

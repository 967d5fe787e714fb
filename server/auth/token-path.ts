import type { onRequestHookHandler } from "fastify";
import { configInvalid } from "../../lib/errors.js";
import { connectWithSubscriber, redisOptionsOf } from "../cache/redis-client.js";
import type { TokenCache } from "../cache/token-cache.js";
import type { Config } from "../config.js";
import type { Metrics } from "../metrics.js";
import type { Store } from "../store/store.js";
import { bearerAuthentication, jwtAuthentication } from "./hooks.js";
import { createJwtCodec } from "./jwt.js";
import { denylistRevocation } from "./jwt-denylist.js";
import { loadJwtKeys } from "./jwt-keys.js";
import { type JwtRevocation, noRevocation, versionRevocation } from "./jwt-revocation.js";
import { jwtTokens, opaqueTokens, type Tokens } from "./tokens.js";
import { createVerifier, sessionSource } from "./verify.js";

/** How tokens are issued, checked on every request, and taken back. */
export interface TokenPath {
  authenticate: onRequestHookHandler;
  tokens: Tokens;
  /** Answers it keeps in this process besides the token cache's. */
  localEntries(): number;
  close(): Promise<void>;
}

export interface TokenPathDeps {
  store: Store;
  cache: TokenCache;
  metrics: Metrics;
  clock: () => number;
}

/** Flags that mean nothing together, refused before anything is opened. */
export function checkTokenFlags(config: Config): void {
  if (config.tokens === "opaque") {
    if (config.jwtRevocation !== "none" || config.jwtKey !== "" || config.jwtVerifyCache > 0) {
      throw configInvalid("--jwt-revocation, --jwt-key and --jwt-verify-cache need --tokens jwt");
    }
    return;
  }
  if (config.jwtRevocation !== "version" && config.cache !== "none") {
    throw configInvalid(
      `--cache ${config.cache} caches token versions, which only --jwt-revocation version looks up; with --jwt-revocation ${config.jwtRevocation} use --cache none`,
    );
  }
}

async function openRevocation(config: Config, deps: TokenPathDeps): Promise<JwtRevocation> {
  switch (config.jwtRevocation) {
    case "none":
      return noRevocation;
    case "version":
      return versionRevocation({ ...deps, coalesce: config.coalesce === "on" });
    case "denylist": {
      return denylistRevocation({
        ...(await connectWithSubscriber(redisOptionsOf(config))),
        keyPrefix: config.redisKeyPrefix,
        localTtlMs: config.localCacheTtl * 1000,
        maxEntries: config.cacheMax,
        tokenTtlMs: config.tokenTtl * 1000,
        metrics: deps.metrics,
        clock: deps.clock,
      });
    }
  }
}

export async function openTokenPath(config: Config, deps: TokenPathDeps): Promise<TokenPath> {
  const { store, cache, metrics, clock } = deps;
  if (config.tokens === "opaque") {
    const verify = createVerifier({
      cache,
      source: sessionSource(store),
      metrics,
      clock,
      coalesce: config.coalesce === "on",
    });
    return {
      authenticate: bearerAuthentication(verify),
      tokens: opaqueTokens({ store, cache, clock, ttlSeconds: config.tokenTtl }),
      localEntries: () => 0,
      close: async () => {},
    };
  }
  const keys = await loadJwtKeys(config.jwtAlg, config.jwtKey, process.env);
  const codec = createJwtCodec({
    keys,
    ttlSeconds: config.tokenTtl,
    versioned: config.jwtRevocation === "version",
    clock,
    verifyCacheSeconds: config.jwtVerifyCache,
  });
  const revocation = await openRevocation(config, deps);
  return {
    authenticate: jwtAuthentication(codec, revocation),
    tokens: jwtTokens(codec, revocation, config.tokenTtl),
    localEntries: () => revocation.localEntries(),
    close: () => revocation.close(),
  };
}

import type { Redis } from "ioredis";
import { createMemoryCache, type MemoryCache } from "../cache/memory.js";
import type { RedisClient } from "../cache/redis-client.js";
import { subscribe } from "../cache/subscription.js";
import { storeUnavailable, tokenInvalid } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal } from "../store/store.js";
import { type JwtClaims, principalOfClaims } from "./jwt.js";
import type { JwtRevocation } from "./jwt-revocation.js";

export interface DenylistOptions {
  client: RedisClient;
  /** A connection of its own: a subscribed connection can issue no other commands. */
  subscriber: Redis;
  keyPrefix: string;
  /** How long an "accepted" answer is kept in this process. */
  localTtlMs: number;
  maxEntries: number;
  /** Every token issued before a not-before has expired once this has passed. */
  tokenTtlMs: number;
  metrics: Metrics;
  clock: () => number;
}

/** One message per revocation: a token's jti, or a user's not-before (epoch seconds). */
type Revoked = { jti: string } | { sub: string; nbf: number };

const parse = (message: string): Revoked | undefined => {
  try {
    const value = JSON.parse(message) as Partial<{ jti: unknown; sub: unknown; nbf: unknown }>;
    if (typeof value.jti === "string") return { jti: value.jti };
    if (typeof value.sub === "string" && typeof value.nbf === "number") {
      return { sub: value.sub, nbf: value.nbf };
    }
  } catch {}
  return undefined;
};

/**
 * jwt-denylist: a logout writes the token's jti to Redis for the token's remaining life; a
 * password change writes a per-user not-before, which ends every token issued before it without
 * the server having to remember which tokens it issued (the reason for a not-before over a list
 * of jtis: issuing stays stateless). iat counts whole seconds, so the not-before is the second
 * after the change, and a token issued after it is dated no earlier than that (notBefore). Each instance keeps the answer "not revoked" for a short
 * while in memory and drops it when a revocation is broadcast; while not subscribed it could miss
 * one, so it keeps nothing and asks Redis on every request. Redis is this mode's source of truth
 * for revocations: when it cannot be read, the request gets 503, not a guess.
 */
export async function denylistRevocation(options: DenylistOptions): Promise<JwtRevocation> {
  const { client, subscriber, metrics, clock } = options;
  const channel = `${options.keyPrefix}jwt-revoked`;
  const jtiKey = (jti: string) => `${options.keyPrefix}jti:${jti}`;
  const nbfKey = (sub: string) => `${options.keyPrefix}nbf:${sub}`;
  const newLocal = (): MemoryCache =>
    createMemoryCache({ maxEntries: options.maxEntries, ttlMs: options.localTtlMs });
  let local = newLocal();
  /** Users' not-befores heard here, kept until every token they could end has expired. */
  const notBefore = new Map<string, number>();

  const heard = (revoked: Revoked) => {
    if ("jti" in revoked) void local.invalidate([revoked.jti]);
    else if (revoked.nbf > (notBefore.get(revoked.sub) ?? 0)) {
      notBefore.set(revoked.sub, revoked.nbf);
    }
  };
  /** The user's not-before heard here, until every token it could end has expired. */
  const heardNotBefore = (sub: string): number | undefined => {
    const nbf = notBefore.get(sub);
    if (nbf !== undefined && clock() - nbf * 1000 >= options.tokenTtlMs) {
      notBefore.delete(sub);
      return undefined;
    }
    return nbf;
  };
  const endedByUser = (claims: JwtClaims) => claims.iat < (heardNotBefore(claims.sub) ?? 0);

  const subscription = await subscribe(subscriber, channel, {
    message: (text) => {
      const revoked = parse(text);
      if (revoked) heard(revoked);
    },
    lost: () => {
      local = newLocal();
    },
    failed: (error) => metrics.error("invalidate", error),
  });

  /** Redis holds this mode's revocations: when it fails, the caller gets 503, not a guess. */
  const redis = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      metrics.storeError();
      throw storeUnavailable(error);
    }
  };
  const fromRedis = async (claims: JwtClaims, now: number): Promise<Principal> => {
    metrics.storeLookup("denylist");
    // Two keys in two slots of a cluster: two GETs, sent together by auto-pipelining.
    const [denied, nbf] = await redis(() =>
      Promise.all([client.get(jtiKey(claims.jti)), client.get(nbfKey(claims.sub))]),
    );
    if (nbf !== null) heard({ sub: claims.sub, nbf: Number(nbf) });
    if (denied !== null || endedByUser(claims)) throw tokenInvalid();
    const principal = principalOfClaims(claims);
    if (subscription.active) local.fill(claims.jti, principal, now);
    return principal;
  };

  const publish = async (revoked: Revoked) => {
    heard(revoked);
    try {
      await client.publish(channel, JSON.stringify(revoked));
    } catch (error) {
      // Written but not broadcast: other instances learn it within their local TTL.
      metrics.error("invalidate", error);
    }
  };
  // Not written is not revoked: the client must hear it, and may try again.
  const write = (key: string, value: string, ttlMs: number) =>
    redis(() => client.set(key, value, "PX", Math.max(1, ttlMs)));

  return {
    check: (claims) => {
      if (endedByUser(claims)) {
        metrics.cacheLookup("revoked");
        throw tokenInvalid();
      }
      if (!subscription.active) {
        metrics.cacheLookup("bypass");
        return fromRedis(claims, clock());
      }
      const near = local.get(claims.jti);
      metrics.cacheLookup(near.kind);
      if (near.kind === "hit") return near.principal;
      if (near.kind === "revoked") throw tokenInvalid();
      return fromRedis(claims, clock());
    },
    revokeToken: async (claims) => {
      await write(jtiKey(claims.jti), "1", claims.exp * 1000 - clock());
      await publish({ jti: claims.jti });
    },
    revokeUser: async (claims) => {
      const nbf = Math.floor(clock() / 1000) + 1;
      await write(nbfKey(claims.sub), String(nbf), options.tokenTtlMs);
      await publish({ sub: claims.sub, nbf });
    },
    notBefore: async (sub) => {
      // Another instance's change may not have been heard here yet: Redis says for sure.
      const stored = await redis(() => client.get(nbfKey(sub)));
      return Math.max(heardNotBefore(sub) ?? 0, stored === null ? 0 : Number(stored));
    },
    localEntries: () => local.localEntries(),
    close: async () => {
      await subscription.close();
      await client.quit().catch(() => client.disconnect());
      await local.close();
    },
  };
}

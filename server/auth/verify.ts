import { performance } from "node:perf_hooks";
import type { Lookup, TokenCache } from "../cache/token-cache.js";
import { tokenInvalid } from "../errors.js";
import type { Metrics, StoreOp } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";

/**
 * Where a key the cache cannot answer for is looked up: the sessions, keyed by token hash, for
 * opaque tokens; the users' token versions for jwt-version.
 */
export interface PrincipalSource {
  readonly op: StoreOp;
  find(key: string, now: number): Promise<Principal | undefined>;
}

export const sessionSource = (store: Store): PrincipalSource => ({
  op: "session",
  find: (tokenHash, now) => store.findSession(tokenHash, now),
});

export interface VerifierDeps {
  cache: TokenCache;
  source: PrincipalSource;
  metrics: Metrics;
  clock: () => number;
  /** Concurrent misses for one token hash share one store lookup (single-flight). */
  coalesce: boolean;
}

/**
 * Key (a token hash, or a user's token version) → principal: the cache first, then the store. Throws 401 invalid_token, or 503 from
 * the store. A cache that answers synchronously (memory) gets a synchronous answer: a cache hit
 * then costs no promise at all, which is most of what is left of the check.
 */
export type Verifier = (tokenHash: string) => Principal | Promise<Principal>;

export function createVerifier(deps: VerifierDeps): Verifier {
  const { cache, source, metrics, clock } = deps;
  const fromStore = async (tokenHash: string, fill: boolean, now: number) => {
    metrics.storeLookup(source.op);
    const asked = performance.now();
    let principal: Principal | undefined;
    try {
      principal = await source.find(tokenHash, now);
    } finally {
      metrics.sessionLookupTime(performance.now() - asked);
    }
    if (principal === undefined) throw tokenInvalid();
    if (fill) cache.fill(tokenHash, principal, now);
    return principal;
  };
  /**
   * Misses for one token hash already on their way to the store. A cold cache under load (a
   * deploy, a flush) otherwise sends every concurrent request for a hot token to the store at
   * once. A request joins only after its own cache read missed, so one that arrives after a
   * revocation meets the tombstone first; a failed lookup fails every request that joined it and
   * fills nothing.
   */
  const inFlight = new Map<string, Promise<Principal>>();
  const missed = (tokenHash: string, now: number): Promise<Principal> => {
    const pending = inFlight.get(tokenHash);
    if (pending) {
      metrics.storeLookupShared();
      return pending;
    }
    const lookup = fromStore(tokenHash, true, now).finally(() => inFlight.delete(tokenHash));
    inFlight.set(tokenHash, lookup);
    return lookup;
  };
  const decide = (
    tokenHash: string,
    cached: Lookup,
    now: number,
  ): Principal | Promise<Principal> => {
    metrics.cacheLookup(cached.kind);
    if (cached.kind === "hit") {
      // The entry's TTL already stops at the token's expiry; this check also covers clock skew.
      if (cached.principal.expiresAt > now) return cached.principal;
      throw tokenInvalid();
    }
    if (cached.kind === "revoked") throw tokenInvalid();
    if (cached.kind === "miss" && deps.coalesce) return missed(tokenHash, now);
    return fromStore(tokenHash, cached.kind === "miss", now);
  };
  return (tokenHash) => {
    const now = clock();
    const cached = cache.get(tokenHash);
    return cached instanceof Promise
      ? cached.then((lookup) => decide(tokenHash, lookup, now))
      : decide(tokenHash, cached, now);
  };
}

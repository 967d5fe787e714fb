import type { TokenCache } from "../cache/token-cache.js";
import { tokenInvalid } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";

export interface VerifierDeps {
  cache: TokenCache;
  store: Store;
  metrics: Metrics;
  clock: () => number;
}

/** Token hash → principal: the cache first, then the store. Throws 401 invalid_token, or 503 from the store. */
export type Verifier = (tokenHash: string) => Promise<Principal>;

export function createVerifier({ cache, store, metrics, clock }: VerifierDeps): Verifier {
  return async (tokenHash) => {
    const now = clock();
    const cached = await cache.get(tokenHash);
    metrics.cacheLookup(cached.kind);
    if (cached.kind === "hit") {
      // The entry's TTL already stops at the token's expiry; this check also covers clock skew.
      if (cached.principal.expiresAt > now) return cached.principal;
      throw tokenInvalid();
    }
    if (cached.kind === "revoked") throw tokenInvalid();
    metrics.storeLookup("session");
    const principal = await store.findSession(tokenHash, now);
    if (principal === undefined) throw tokenInvalid();
    if (cached.kind === "miss") cache.fill(tokenHash, principal, now);
    return principal;
  };
}

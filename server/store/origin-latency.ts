import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "./store.js";

/**
 * Adds a fixed delay to each store read, to model a store further away (another zone, an IdP).
 * The delay is a round trip: half before the query (the request on its way) and half after (the
 * answer on its way back). So, as with a real remote store, an answer can arrive after a
 * revocation that happened after it was read: the cache must not keep what such an answer fills.
 */
export function withOriginLatency(store: Store, delayMs: number): Store {
  if (delayMs <= 0) return store;
  const away = async <T>(read: () => Promise<T> | T): Promise<T> => {
    await sleep(delayMs / 2);
    const answer = await read();
    await sleep(delayMs / 2);
    return answer;
  };
  return {
    ...store,
    kind: store.kind,
    findUser: (username) => away(() => store.findUser(username)),
    findSession: (tokenHash, now) => away(() => store.findSession(tokenHash, now)),
  };
}

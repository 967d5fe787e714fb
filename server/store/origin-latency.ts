import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "./store.js";

/** Adds a fixed delay to each store read, to model a store further away (another zone, an IdP). */
export function withOriginLatency(store: Store, delayMs: number): Store {
  if (delayMs <= 0) return store;
  return {
    ...store,
    kind: store.kind,
    findUser: async (username) => {
      await sleep(delayMs);
      return store.findUser(username);
    },
    findSession: async (tokenHash, now) => {
      await sleep(delayMs);
      return store.findSession(tokenHash, now);
    },
  };
}

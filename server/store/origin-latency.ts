import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Store } from "./store.js";

/**
 * Adds a fixed delay to each store read, to model a store further away (another zone, an IdP).
 * The delay is a round trip: the read happens half way through it (the request on its way), and
 * the answer arrives when it ends (on its way back). So, as with a real remote store, an answer
 * can arrive after a revocation that happened after it was read: the cache must not keep what
 * such an answer fills.
 *
 * One timer spans the whole round trip: Node's timers count whole milliseconds (1.5 ms fires after
 * 1) and late by about 0.1 ms, so two half-delays in a row would add 2.2 ms where 3 were asked
 * for; one timer spans what was asked plus its lateness, and a read that fits in its second half
 * is hidden in it. `added` is told the delay each read really got, in milliseconds: the time from
 * asking to answer, less the read's own (so a hidden read's time is not counted twice).
 */
export function withOriginLatency(
  store: Store,
  delayMs: number,
  added: (ms: number) => void = () => {},
): Store {
  if (delayMs <= 0) return store;
  const away = async <T>(read: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    const roundTrip = sleep(delayMs);
    await sleep(delayMs / 2);
    const reading = performance.now();
    const answer = await read();
    const readMs = performance.now() - reading;
    await roundTrip;
    added(performance.now() - start - readMs);
    return answer;
  };
  return {
    ...store,
    kind: store.kind,
    findUser: (username) => away(() => store.findUser(username)),
    findSession: (tokenHash, now) => away(() => store.findSession(tokenHash, now)),
    findTokenVersion: (userId) => away(() => store.findTokenVersion(userId)),
  };
}

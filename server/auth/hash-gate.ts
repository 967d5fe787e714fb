import { loginBusy } from "../errors.js";

export interface HashGateEvents {
  /** A computation started; `running` counts it. */
  hashStarted(running: number): void;
  hashFinished(running: number): void;
  /** A computation was refused: the queue was full. */
  hashRejected(): void;
}

export interface HashGate {
  /** Runs `work` when a slot is free, waits in the queue when not, refuses (503) when it is full. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * A bound on concurrent password hashing. A scrypt computation at the default cost takes a core
 * for about a quarter of a second; unbounded, a handful of wrong-password logins per second
 * occupies every core and every libuv thread, and the token path that caching keeps cheap
 * starves with it. With the bound, the hashing never takes more than `concurrency` cores, a short
 * queue absorbs bursts, and what is beyond it is refused at once instead of waiting seconds.
 */
export function createHashGate(
  limits: { concurrency: number; queue: number },
  events: HashGateEvents,
): HashGate {
  let running = 0;
  // Each waiter is handed a slot by the computation that releases it, so none can be taken in
  // between by a request that arrived later.
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
    events.hashFinished(running);
  };
  return {
    run: async (work) => {
      if (running < limits.concurrency) running += 1;
      else if (waiting.length < limits.queue) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        events.hashRejected();
        throw loginBusy();
      }
      events.hashStarted(running);
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}

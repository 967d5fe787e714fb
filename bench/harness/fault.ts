import { setTimeout as sleep } from "node:timers/promises";

/** A fault injected into every measured run of the modes it touches: our own Redis stopped. */
export interface Fault {
  kind: "redis-stop";
  /** Seconds into the measured window when Redis is killed. */
  atSeconds: number;
  /** Seconds it stays down before it is started again, empty, on the same port. */
  forSeconds: number;
}

/** When a run's fault really happened, in ms from the start of its measured window. */
export interface FaultTimes {
  stoppedAtMs: number;
  restartedAtMs: number;
}

const SYNTAX = /^redis-stop@(\d+(?:\.\d+)?)s\+(\d+(?:\.\d+)?)s$/;
export const FAULT_SYNTAX = "redis-stop@<at>s+<for>s";

/** `redis-stop@5s+3s`, or "" for none; throws a message naming the syntax otherwise. */
export function parseFault(raw: string): Fault | null {
  if (raw === "" || raw === "none") return null;
  const [, at, length] = SYNTAX.exec(raw) ?? [];
  if (at === undefined || length === undefined) {
    throw new Error(`must be ${FAULT_SYNTAX}, e.g. redis-stop@5s+3s`);
  }
  return { kind: "redis-stop", atSeconds: Number(at), forSeconds: Number(length) };
}

export const showFault = (fault: Fault | null): string =>
  fault ? `redis-stop@${fault.atSeconds}s+${fault.forSeconds}s` : "none";

/** A Redis this benchmark started and may kill and start again: never a user's. */
export interface KillableRedis {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Runs the fault beside a measured window that starts now: kills Redis at its time, starts it
 * again after its length, and says when each really happened.
 */
export async function injectFault(
  fault: Fault,
  redis: KillableRedis,
  signal?: AbortSignal,
): Promise<FaultTimes> {
  const start = performance.now();
  await sleep(fault.atSeconds * 1000, undefined, signal ? { signal } : {});
  await redis.kill();
  const stoppedAtMs = performance.now() - start;
  await sleep(fault.forSeconds * 1000, undefined, signal ? { signal } : {});
  await redis.restart();
  return { stoppedAtMs, restartedAtMs: performance.now() - start };
}

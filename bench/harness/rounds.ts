import { mulberry32 } from "../stats/index.js";

/** Where a benchmark stands as it starts one run. */
export interface RunStart<A> {
  arm: A;
  round: number;
  rounds: number;
  /** Runs finished so far. */
  done: number;
  total: number;
  elapsedMs: number;
  etaMs: number;
}

export interface Rounds<A, R> {
  /** What is compared: modes, or (mode, version) pairs. One run of each per round. */
  arms: readonly A[];
  rounds: number;
  /** Seeds the order of the arms in each round (see roundOrder); reports state it. */
  seed: number;
  /** Seconds one run takes, for the ETA. */
  secondsPerRun: number;
  signal: AbortSignal;
  onStart(start: RunStart<A>): void;
  /** One run of one arm; it starts and stops whatever fresh process the run needs. */
  run(arm: A, round: number): Promise<R>;
  /** After each run, before the next: the caller records the result (and saves it). */
  onResult(result: R): Promise<void>;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The arms of one round in a seeded random order, balanced: the rounds of each block of as many
 * rounds as arms form a Latin square (a cyclic one with its rows, columns and arms shuffled), so
 * every arm takes every position once per block, and which arm follows which changes from block
 * to block instead of, say, memory always running right after none.
 */
export function roundOrder<T>(arms: readonly T[], round: number, seed: number): T[] {
  const k = arms.length;
  if (k <= 1) return [...arms];
  const block = Math.floor((round - 1) / k);
  const random = mulberry32((seed ^ Math.imul(block + 1, 0x9e3779b1)) >>> 0);
  const indices = arms.map((_, i) => i);
  const rows = shuffled(indices, random);
  const columns = shuffled(indices, random);
  const symbols = shuffled(arms, random);
  const row = rows[(round - 1) % k] as number;
  return columns.map((column) => symbols[(row + column) % k] as T);
}

/**
 * Runs every arm once per round, interleaved, so that slow drift of the machine hits every arm
 * alike; stops between runs once `signal` is aborted.
 */
export async function runRounds<A, R>(rounds: Rounds<A, R>): Promise<void> {
  const { arms, signal } = rounds;
  const total = arms.length * rounds.rounds;
  const started = Date.now();
  let done = 0;
  for (let round = 1; round <= rounds.rounds && !signal.aborted; round++) {
    for (const arm of roundOrder(arms, round, rounds.seed)) {
      if (signal.aborted) break;
      rounds.onStart({
        arm,
        round,
        rounds: rounds.rounds,
        done,
        total,
        elapsedMs: Date.now() - started,
        etaMs: (total - done) * rounds.secondsPerRun * 1000,
      });
      await rounds.onResult(await rounds.run(arm, round));
      done += 1;
    }
  }
}

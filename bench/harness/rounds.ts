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
  /** Seconds one run takes, for the ETA. */
  secondsPerRun: number;
  signal: AbortSignal;
  onStart(start: RunStart<A>): void;
  /** One run of one arm; it starts and stops whatever fresh process the run needs. */
  run(arm: A, round: number): Promise<R>;
  /** After each run, before the next: the caller records the result (and saves it). */
  onResult(result: R): Promise<void>;
}

/**
 * Each round starts one arm later (A B C, B C A, C A B …): every arm takes every position in a
 * round equally often, so whatever the position costs (a machine still busy with the previous
 * run) is not always paid by the same arm.
 */
export const roundOrder = <T>(arms: readonly T[], round: number): T[] => {
  const shift = (round - 1) % Math.max(1, arms.length);
  return [...arms.slice(shift), ...arms.slice(0, shift)];
};

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
    for (const arm of roundOrder(arms, round)) {
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

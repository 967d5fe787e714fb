import { setMaxListeners } from "node:events";
import {
  Bench,
  type FnOptions,
  type FnReturnedObject,
  type Statistics,
  type Task,
} from "tinybench";
import { describeCause } from "../../lib/errors.js";
import { collectGarbage } from "./gc.js";
import type {
  CacheFootprint,
  MicroTask,
  SuiteBudget,
  SuiteName,
  SuiteResult,
  TaskStats,
} from "./schema.js";

export type Counters = Record<string, number>;

/**
 * Calls per sample for calls of a few microseconds or less: reading the timer costs about 0.1 µs,
 * which a 100-call sample makes negligible. Their p50 and p99 are then of 100-call means.
 */
export const BATCH = 100;
/** tinybench's own minimums, for suites that do not ask for fewer. */
export const MIN_SAMPLES = 64;
export const MIN_WARMUP_SAMPLES = 16;
/** tinybench's timestamp provider: the same clock times batches. */
export const TIMER = "performanceNow";

/** Inside a task: a call that did not take the path the task is named for fails the task. */
export function ensure(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

export interface TaskSpec {
  id: string;
  name: string;
  /** Calls timed together as one sample, for calls not much longer than reading the timer. */
  batch?: number;
  async: boolean;
  /**
   * Untimed, before the warm-up and again before the measured phase: puts in place what the calls
   * expect (a cached token), which the warm-ups of other tasks may since have pushed out.
   */
  before?: () => unknown;
  /** Untimed, before each sample: fresh inputs for calls that must not repeat (a set, a miss). */
  prepare?: () => unknown;
  /** One call of the real code path; throws when it did not take the path it is named for. */
  call: () => unknown;
  /** Counters read right before and right after the measured phase, reported per call. */
  observe?: () => Counters | Promise<Counters>;
}

export interface SuiteSpec {
  name: SuiteName;
  title: string;
  notes: string[];
  tasks: TaskSpec[];
  /** Slow tasks (scrypt, added latency) take few samples, so the whole command stays short. */
  budget?: Partial<SuiteBudget>;
  /** Tasks left out because what they measure is not reachable, with why. */
  skipped?: { what: string; reason: string }[];
  /** Measured once its tasks have run: the memory each cache's entries take. */
  footprint?: () => Promise<CacheFootprint[]>;
  /** Closes what the suite opened (Redis connections, caches, metrics). */
  close?: () => Promise<void>;
}

const us = (ms: number) => ms * 1000;

function statsOf(latency: Statistics, batch: number): TaskStats {
  return {
    meanUs: us(latency.mean),
    p50Us: us(latency.p50),
    p99Us: us(latency.p99),
    minUs: us(latency.min),
    maxUs: us(latency.max),
    sdUs: us(latency.sd),
    rmePct: Number.isFinite(latency.rme) ? latency.rme : null,
    opsPerSecond: latency.mean > 0 ? 1000 / latency.mean : 0,
    samples: latency.samplesCount,
    calls: latency.samplesCount * batch,
  };
}

function perCallOf(before: Counters, after: Counters, calls: number): Counters {
  return Object.fromEntries(
    Object.entries(after).map(([name, value]) => [name, (value - (before[name] ?? 0)) / calls]),
  );
}

function taskResult(spec: TaskSpec, task: Task | undefined, observed: Counters[]): MicroTask {
  const batch = spec.batch ?? 1;
  const base = { id: spec.id, name: spec.name, batch, error: null, stats: null, perCall: {} };
  const result = task?.result;
  switch (result?.state) {
    case "completed":
    case "aborted-with-statistics": {
      const stats = statsOf(result.latency, batch);
      const [before, after] = observed;
      const perCall = before && after ? perCallOf(before, after, stats.calls) : {};
      return { ...base, state: result.state, stats, perCall };
    }
    case "errored":
      return { ...base, state: "errored", error: describeCause(result.error) };
    case "aborted":
    case "started":
      return { ...base, state: "aborted" };
    default:
      return { ...base, state: "not-started" };
  }
}

/** The task function tinybench times: one call, or a batch timed as one and reported per call. */
function timed(spec: TaskSpec, now: () => number): () => unknown {
  const batch = spec.batch ?? 1;
  const { call } = spec;
  if (batch === 1) return call;
  const perCall = (ms: number): FnReturnedObject => ({
    overriddenDuration: ms / batch,
    overriddenIterationCost: ms,
  });
  if (spec.async) {
    return async () => {
      const start = now();
      for (let i = 0; i < batch; i++) await call();
      return perCall(now() - start);
    };
  }
  return () => {
    const start = now();
    for (let i = 0; i < batch; i++) call();
    return perCall(now() - start);
  };
}

function hooks(spec: TaskSpec, observed: Counters[]): FnOptions {
  const options: FnOptions = { async: spec.async };
  const { before, prepare, observe } = spec;
  if (prepare) {
    options.beforeEach = async () => {
      await prepare();
    };
  }
  if (before || observe) {
    options.beforeAll = async (mode) => {
      await before?.();
      if (observe && mode === "run") observed[0] = await observe();
    };
  }
  if (observe) {
    options.afterAll = async (mode) => {
      if (mode === "run") observed[1] = await observe();
    };
  }
  return options;
}

/**
 * Runs one suite with tinybench. Every task is warmed up before any is measured (tinybench runs
 * all warm-ups first), so each is measured with the same JIT state behind it, and a full GC runs
 * before each measured phase. A task that throws becomes an `errored` result; the others still run.
 */
export async function runSuite(
  spec: SuiteSpec,
  budget: SuiteBudget,
  signal: AbortSignal,
  onTask: (task: MicroTask) => void,
): Promise<SuiteResult> {
  // tinybench listens on the signal once per task; a signal of the suite's own keeps Node from
  // warning about a leak when a suite has more than ten tasks.
  const suiteAbort = new AbortController();
  setMaxListeners(spec.tasks.length + 1, suiteAbort.signal);
  const abort = () => suiteAbort.abort();
  signal.addEventListener("abort", abort, { once: true });
  if (signal.aborted) abort();
  const bench = new Bench({
    name: spec.name,
    time: budget.timeMs,
    iterations: budget.minSamples,
    warmup: budget.warmupMs > 0 || budget.minWarmupSamples > 0,
    warmupTime: budget.warmupMs,
    warmupIterations: budget.minWarmupSamples,
    throws: false,
    timestampProvider: TIMER,
    // Single-call samples would otherwise each carry one timer reading; batches are exact already.
    subtractTimerOverhead: true,
    signal: suiteAbort.signal,
    setup: (_task, mode) => {
      if (mode === "run") collectGarbage();
    },
  });
  const observed = new Map<string, Counters[]>();
  const specs = new Map(spec.tasks.map((task) => [task.name, task]));
  for (const task of spec.tasks) {
    const counters: Counters[] = [];
    observed.set(task.name, counters);
    bench.add(task.name, timed(task, bench.now), hooks(task, counters));
  }
  bench.addEventListener("cycle", ({ task }) => {
    const done = specs.get(task.name);
    if (done) onTask(taskResult(done, task, observed.get(task.name) ?? []));
  });
  try {
    await bench.run();
  } finally {
    signal.removeEventListener("abort", abort);
  }
  return {
    name: spec.name,
    title: spec.title,
    notes: spec.notes,
    budget,
    timerOverheadUs: us(bench.timerOverhead ?? 0),
    tasks: spec.tasks.map((task) =>
      taskResult(task, bench.getTask(task.name), observed.get(task.name) ?? []),
    ),
  };
}

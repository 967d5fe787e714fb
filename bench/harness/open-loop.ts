import { performance } from "node:perf_hooks";
import { Client, type Dispatcher } from "undici";
import { mulberry32 } from "../stats/index.js";
import { type GeneratorSample, generatorCpu, type LoadFigures } from "./autocannon-run.js";
import { type LatencyUs, microsecondHistogram, percentilesOf } from "./histogram.js";
import { expects, type RequestSpec, type ScenarioPlan } from "./scenarios.js";

export const ARRIVALS = ["uniform", "poisson"] as const;
export type Arrivals = (typeof ARRIVALS)[number];

export interface OpenLoopSettings {
  /** Offered requests per second, whatever the answers. */
  rate: number;
  seconds: number;
  /** uniform: planned sends every 1/rate; poisson: exponential gaps of mean 1/rate. */
  arrivals: Arrivals;
  /** The most keep-alive connections the generator may hold; opened as the backlog needs them. */
  connections: number;
  /** Requests queued or in flight at most; a planned send beyond it is dropped and counted. */
  maxInFlight: number;
  /** A request unanswered this long counts as a timeout (default 10 s). */
  timeoutSeconds?: number;
  /** Seeds the Poisson gaps and the scenario's draws, so that a run can be repeated. */
  seed?: number;
  /**
   * spin (the default): sends on time to a few µs, and keeps a core busy doing it; timer: sleeps
   * on Node's timers and sends what fell due in batches, up to a millisecond or two late, for
   * background load whose own timing nobody reads.
   */
  clock?: "spin" | "timer";
}

/**
 * One open-loop run. `latencyUs` is the response time (planned send → full response), so a stall
 * counts for every request that was due during it; `requests` and `rps` are the completions.
 */
export interface OpenLoopFigures extends LoadFigures {
  offeredRate: number;
  arrivals: Arrivals;
  /** Sends planned within the window. */
  planned: number;
  /** Planned sends refused because the backlog was full. */
  dropped: number;
  /** Requests still queued or unanswered when the drain after the window ended. */
  unfinished: number;
  /** Actual send → full response: what the server took once the request was written. */
  serviceTimeUs: LatencyUs | null;
  /** How late the generator got to each planned send (waits for a free connection excluded). */
  scheduleLagUs: LatencyUs | null;
  /**
   * Coefficient of variation of the gaps between actual sends: near 0 for uniform arrivals, near 1
   * for Poisson; far from that, the generator did not keep the schedule it was given.
   */
  sendGapCv: number | null;
  /** Connections opened at most. */
  connectionsUsed: number;
  /** Dropped, unfinished, or fewer than 95% of the offered rate completed: past capacity. */
  saturated: boolean;
  /** Schedule lag p99 above LATE_LAG_US: response times are only as good as that lag. */
  generatorLate: boolean;
}

/** A schedule lag p99 above this makes the run's sub-millisecond figures the generator's. */
export const LATE_LAG_US = 100;
/** Completing less than this share of the offered rate is saturation. */
const ACHIEVED_SHARE = 0.95;
const REQUEST_TIMEOUT_SECONDS = 10;
/** After the window, answers still due are waited for this long before they count as unfinished. */
const DRAIN_MS = 2_000;
/** How the spinning clock waits: see schedule(). */
const TIMER_MIN_MS = 2;
const TIMER_MARGIN_MS = 1.5;
const SPIN_SLICE_MS = 0.01;
const SPIN_SHARE_SATURATED = 0.9;

/** One request's life, from its planned send to its answer. */
class Exchange implements Dispatcher.DispatchHandler {
  status = 0;
  sentAt = 0;
  constructor(
    readonly run: OpenLoopRun,
    readonly client: Client,
    readonly plannedAt: number,
    readonly spec: RequestSpec,
  ) {}
  onRequestStart(): void {}
  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }
  onResponseData(): void {}
  onResponseEnd(): void {
    this.run.answered(this, performance.now());
  }
  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.run.failed(this, error);
  }
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

class OpenLoopRun {
  readonly responseTime = microsecondHistogram();
  readonly serviceTime = microsecondHistogram();
  readonly lag = microsecondHistogram();
  readonly statuses: Record<string, number> = {};
  planned = 0;
  dropped = 0;
  completed = 0;
  completedInWindow = 0;
  errors = 0;
  timeouts = 0;
  wrongStatus = 0;
  inFlight = 0;
  windowEnd = Number.POSITIVE_INFINITY;
  /** Past the drain: what is still in flight is unfinished, not an error. */
  closing = false;
  private readonly free: Client[] = [];
  private readonly all: Client[] = [];
  /** Planned send times waiting for a free connection, oldest first. */
  private queue: number[] = [];
  private queueHead = 0;
  private nextRequest = 0;
  private idle: (() => void) | null = null;
  /** Welford's running mean and sum of squares of the gaps between sends. */
  private lastSend = Number.NaN;
  private gapCount = 0;
  private gapMean = 0;
  private gapSquares = 0;

  constructor(
    readonly origin: string,
    readonly plan: ScenarioPlan,
    readonly settings: OpenLoopSettings,
    readonly random: () => number,
  ) {}

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** The generator reaches a planned send at `now`. */
  due(plannedAt: number, now: number): void {
    this.planned += 1;
    if (this.inFlight + this.queued >= this.settings.maxInFlight) {
      this.dropped += 1;
      return;
    }
    this.lag.recordValue(Math.round((now - plannedAt) * 1000));
    this.countGap(now);
    const client = this.connection();
    if (client) this.send(client, plannedAt);
    else this.queue.push(plannedAt);
  }

  answered(exchange: Exchange, now: number): void {
    this.completed += 1;
    if (now <= this.windowEnd) this.completedInWindow += 1;
    const key = String(exchange.status);
    this.statuses[key] = (this.statuses[key] ?? 0) + 1;
    if (!expects(exchange.spec).includes(exchange.status)) this.wrongStatus += 1;
    this.responseTime.recordValue(Math.max(1, Math.round((now - exchange.plannedAt) * 1000)));
    this.serviceTime.recordValue(Math.max(1, Math.round((now - exchange.sentAt) * 1000)));
    this.release(exchange.client);
  }

  failed(exchange: Exchange, error: Error): void {
    if (this.closing) return;
    const code = (error as { code?: string }).code;
    if (code && TIMEOUT_CODES.has(code)) this.timeouts += 1;
    this.errors += 1;
    this.release(exchange.client);
  }

  /** Resolves once nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
    });
  }

  gapCv(): number | null {
    if (this.gapCount < 2 || this.gapMean <= 0) return null;
    return Math.sqrt(this.gapSquares / (this.gapCount - 1)) / this.gapMean;
  }

  private countGap(now: number): void {
    if (!Number.isNaN(this.lastSend)) {
      const gap = now - this.lastSend;
      this.gapCount += 1;
      const delta = gap - this.gapMean;
      this.gapMean += delta / this.gapCount;
      this.gapSquares += delta * (gap - this.gapMean);
    }
    this.lastSend = now;
  }

  unfinished(): number {
    return this.inFlight + this.queued;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue = [];
    this.queueHead = 0;
    await Promise.all(this.all.map((client) => client.destroy().catch(() => undefined)));
  }

  get connectionsUsed(): number {
    return this.all.length;
  }

  private connection(): Client | undefined {
    const reused = this.free.pop();
    if (reused || this.all.length >= this.settings.connections) return reused;
    const timeout = (this.settings.timeoutSeconds ?? REQUEST_TIMEOUT_SECONDS) * 1000;
    const client = new Client(this.origin, {
      pipelining: 1,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 60_000,
    });
    this.all.push(client);
    return client;
  }

  private send(client: Client, plannedAt: number): void {
    const spec = this.plan.pick
      ? this.plan.pick(this.random)
      : (this.plan.requests[this.nextRequest++ % this.plan.requests.length] as RequestSpec);
    const exchange = new Exchange(this, client, plannedAt, spec);
    this.inFlight += 1;
    exchange.sentAt = performance.now();
    client.dispatch(
      {
        origin: this.origin,
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        ...(spec.body === undefined ? {} : { body: spec.body }),
      },
      exchange,
    );
  }

  private release(client: Client): void {
    this.inFlight -= 1;
    if (this.queued > 0) {
      const plannedAt = this.queue[this.queueHead++] as number;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead);
        this.queueHead = 0;
      }
      this.send(client, plannedAt);
      return;
    }
    // Most recently used first, so that only as many connections stay busy as the load needs.
    this.free.push(client);
    if (this.inFlight === 0 && this.idle) {
      this.idle();
      this.idle = null;
    }
  }
}

/**
 * The planned send times of a window from `start`, one per call, then null. Uniform times are
 * `start + i/rate` computed afresh, so that rounding never adds or drops a send at the window's
 * end (rate × seconds of them); Poisson times add exponential gaps until the window ends.
 */
function planner(
  settings: OpenLoopSettings,
  random: () => number,
  start: number,
): () => number | null {
  const mean = 1000 / settings.rate;
  const end = start + settings.seconds * 1000;
  if (settings.arrivals === "uniform") {
    const count = Math.round(settings.rate * settings.seconds);
    let i = 0;
    return () => (i < count ? start + i++ * mean : null);
  }
  let next = start;
  return () => {
    const planned = next;
    next += -Math.log(1 - random()) * mean;
    return planned < end ? planned : null;
  };
}

/**
 * Calls `send(plannedAt, now)` for every planned send of the window, on time: a timer for waits
 * longer than TIMER_MIN_MS (waking TIMER_MARGIN_MS early, as Node's timers fire up to a
 * millisecond late), setImmediate turns for shorter ones (the answers come in between), and a
 * synchronous spin on the high-resolution clock in slices of SPIN_SLICE_MS; with the timer clock,
 * timers alone. Resolves at the window's end.
 */
function schedule(
  times: () => number | null,
  send: (plannedAt: number, now: number) => void,
  signal: AbortSignal | undefined,
  clock: OpenLoopSettings["clock"],
): Promise<void> {
  const spin = clock !== "timer";
  return new Promise((resolve) => {
    let next = times();
    const tick = () => {
      if (next === null || signal?.aborted) return resolve();
      let now = performance.now();
      let left = next - now;
      if (!spin && left > 0) {
        setTimeout(tick, left);
        return;
      }
      if (left > TIMER_MIN_MS) {
        setTimeout(tick, left - TIMER_MARGIN_MS);
        return;
      }
      // Spinning in slices rather than turn by turn: each setImmediate turn allocates, and a
      // spin of bare turns made the garbage collector pause the generator every few ms.
      const sliceEnd = now + SPIN_SLICE_MS;
      while (left > 0 && now < sliceEnd) {
        now = performance.now();
        left = next - now;
      }
      if (left > 0) {
        setImmediate(tick);
        return;
      }
      // Everything already due goes out now, each stamped with the moment it was reached.
      while (next !== null && next <= now) {
        send(next, performance.now());
        next = times();
      }
      if (spin) setImmediate(tick);
      else setTimeout(tick, Math.max(0, (next ?? now) - performance.now()));
    };
    tick();
  });
}

/**
 * An open-loop run: requests planned at `t0 + i/rate` (or Poisson), sent when due whatever the
 * answers, over at most `connections` keep-alive connections. A request due while every
 * connection is busy waits in the generator's queue; its response time still counts from its
 * planned send, which is what makes the figures free of coordinated omission.
 */
export async function runOpenLoop(
  url: string,
  plan: ScenarioPlan,
  settings: OpenLoopSettings,
  signal?: AbortSignal,
): Promise<OpenLoopFigures> {
  const random = mulberry32(settings.seed ?? 0x5eed);
  const run = new OpenLoopRun(new URL(url).origin, plan, settings, random);
  const cpu = generatorCpu();
  const t0 = performance.now();
  const end = t0 + settings.seconds * 1000;
  run.windowEnd = end;
  const times = planner(settings, random, t0);
  await schedule(times, (plannedAt, now) => run.due(plannedAt, now), signal, settings.clock);
  const windowMs = Math.min(performance.now(), end) - t0;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    run.drained(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, signal?.aborted ? 0 : DRAIN_MS);
    }),
  ]);
  clearTimeout(timer);
  const unfinished = run.unfinished();
  const { cpuSeconds, coreShare } = cpu.read();
  await run.close();

  const durationSeconds = windowMs / 1000;
  const rps = durationSeconds > 0 ? run.completedInWindow / durationSeconds : 0;
  const scheduleLagUs = percentilesOf(run.lag);
  const generator: GeneratorSample = {
    cpuSeconds,
    coreShare,
    // The spin keeps the generator busy by design; it is too slow when it sends late.
    saturated: coreShare > SPIN_SHARE_SATURATED && (scheduleLagUs?.p99 ?? 0) > LATE_LAG_US,
  };
  return {
    durationSeconds,
    requests: run.completed,
    rps,
    statuses: run.statuses,
    errors: run.errors,
    timeouts: run.timeouts,
    unexpected: run.wrongStatus + run.errors,
    latencyUs: percentilesOf(run.responseTime),
    generator,
    offeredRate: settings.rate,
    arrivals: settings.arrivals,
    planned: run.planned,
    dropped: run.dropped,
    unfinished,
    serviceTimeUs: percentilesOf(run.serviceTime),
    scheduleLagUs,
    sendGapCv: run.gapCv(),
    connectionsUsed: run.connectionsUsed,
    saturated:
      run.dropped > 0 || unfinished > 0 || run.completedInWindow < ACHIEVED_SHARE * run.planned,
    generatorLate: (scheduleLagUs?.p99 ?? 0) > LATE_LAG_US,
  };
}

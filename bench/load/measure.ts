import type { ReadyLine } from "../../lib/ready-line.js";
import {
  generatorCpuUsPerRequest,
  type LoadFigures,
  runAutocannon,
} from "../harness/autocannon-run.js";
import { backlogFor, type CapacityStep, findCapacity } from "../harness/capacity.js";
import { clockFloor } from "../harness/clock-floor.js";
import { type Fault, type FaultTimes, injectFault, type KillableRedis } from "../harness/fault.js";
import { busyShare, machineCpu } from "../harness/machine-cpu.js";
import { type OpenLoopFigures, runOpenLoop } from "../harness/open-loop.js";
import { type RssSample, sampleRss } from "../harness/rss-sampler.js";
import { type ScenarioPlan, STAMPEDE_SCENARIOS } from "../harness/scenarios.js";
import { type ServerSample, scrapeMetrics, serverSample } from "../harness/server-metrics.js";
import { type ServiceCpu, type ServicePath, serviceCpuWindow } from "../harness/service-cpu.js";
import { redisFootprint } from "../harness/services.js";
import type { RunningServer } from "../harness/spawn-server.js";
import { startTargetCpu, type TargetCpu } from "../harness/target-cpu.js";
import type { Target } from "../harness/targets.js";
import { recordTimeline, type TimelineBin } from "../harness/timeline.js";
import { type OtherLoad, otherLoad, processSnapshot } from "../report/process-cpu.js";
import {
  type CacheHeld,
  type CapacityDetail,
  type CapacityStepFigures,
  type FloodFigures,
  type LoadMode,
  type LoadOptions,
  loopOf,
  type OpenLoopDetail,
  type RunResult,
  type ServerSettings,
  type SystemCpu,
  UNRECORDED,
  type Variant,
  type VersionName,
} from "./schema.js";

/** One arm of the interleaved rounds: a mode, and in the login-flood and stampede scenarios one of its variants. */
export interface Arm {
  mode: LoadMode;
  variant: Variant | null;
  /** --pin-cpus both: the pinned or the unpinned arm; null otherwise. */
  pinned: boolean | null;
  /** An A/B run's base or candidate server; null otherwise. */
  version: VersionName | null;
}

export interface Measurement {
  plan: ScenarioPlan;
  /** Sent beside the reads from before the warm-up to the end of the measured window. */
  flood: ScenarioPlan | null;
  options: LoadOptions;
  signal: AbortSignal;
  /** Each step of a capacity search as it ends, for progress. */
  onStep?: (step: CapacityStep) => void;
  /** The services on this arm's request path, whose CPU counts with the server's. */
  services: ServicePath;
  /** The arm's target, when it is one: its CPU is read from its metrics or its local process. */
  target: Target | null;
  /** --fault, for an arm whose server uses our own Redis: what to stop, and when. */
  fault?: { fault: Fault; redis: KillableRedis } | null;
}

/** A server on this machine: its process (memory sampled, CPU read) and its services. */
interface Local {
  pid: number;
  services: ServicePath;
}

/** A window's measurement, with the local server when there is one (not a target). */
type InWindow = Measurement & { local: Local | null };

/** How long the flood may outlast the measured window before it is stopped. */
const FLOOD_SLACK_SECONDS = 30;
/** --capacity: the search stops within 5% of the capacity, after at most this many steps. */
const CAPACITY_SEARCH = { precision: 0.05, maxSteps: 10, minRate: 10 } as const;
/** --capacity: the closed-loop run that warms the server and gives the search its first rate. */
const CAPACITY_PROBE_MIN_SECONDS = 1;

const unexpectedLine = (what: string, figures: FloodFigures) =>
  `${what}${figures.unexpected} unexpected: statuses ${JSON.stringify(figures.statuses)}, ${figures.errors} errors, ${figures.timeouts} timeouts`;

/** A load run and what the server and the machine did around it. */
interface Scrape<T extends LoadFigures> {
  outcome: T;
  server: RunResult["server"];
  targetCpu: TargetCpu | null;
  system: SystemCpu | null;
  machineBusyShare: number | null;
  otherLoad: OtherLoad | null;
  rss: RssSample | null;
}

/** What the measured window of a run produced, with the server's metrics around it. */
interface Window extends Scrape<LoadFigures> {
  /** Thrown away, but checked. */
  warm: LoadFigures | null;
  openLoop: OpenLoopDetail | null;
  capacity: CapacityDetail | null;
  /** Why the window cannot be trusted besides its own statuses (a search that met one). */
  problem: string | null;
  timeline: TimelineBin[] | null;
  fault: FaultTimes | null;
}

/** The server's CPU and each service's, per request; null when a service was not measured. */
function systemCpu(server: ServerSample | null, services: ServiceCpu[]): SystemCpu | null {
  if (!server) return null;
  let cpuSeconds = server.cpuSeconds;
  for (const service of services) {
    if (service.cpuSeconds === null) return { services, cpuUsPerRequest: null };
    cpuSeconds += service.cpuSeconds;
  }
  return {
    services,
    cpuUsPerRequest: server.requests > 0 ? (cpuSeconds * 1e6) / server.requests : null,
  };
}

/** What the cache holds once the window is over; its Redis keys are counted outside the window. */
async function cacheHeld(server: ServerSample, services: ServicePath): Promise<CacheHeld> {
  const { redis } = services;
  return {
    localEntries: server.cacheLocalEntries,
    // A Redis that went away during the run leaves its footprint unknown, not the run failed.
    redis: redis ? await redisFootprint(redis, redis.keyPrefix).catch(() => null) : null,
  };
}

/** Runs `work` between two scrapes of the server's metrics and of the machine's CPU. */
async function scraped<T extends LoadFigures>(
  url: string,
  { local, target, options }: InWindow,
  work: () => Promise<T>,
): Promise<Scrape<T>> {
  const before = await scrapeMetrics(url);
  const targetCpu = target ? await startTargetCpu(target) : null;
  const processesBefore = processSnapshot();
  // A target's services are its own: the harness knows none to count beside it.
  const services =
    local && !target ? await serviceCpuWindow(local.services, local.pid, processesBefore) : null;
  const cpuBefore = machineCpu();
  const rss = sampleRss(local?.pid);
  const outcome = await work();
  const rssSample = rss.stop();
  const machineBusyShare = busyShare(cpuBefore, machineCpu());
  const processesAfter = processSnapshot();
  const after = await scrapeMetrics(url);
  const server = before && after ? serverSample(before, after) : null;
  const targetPids = options.targets.flatMap((t) => (t.pid === null ? [] : [t.pid]));
  return {
    outcome,
    server,
    targetCpu: (await targetCpu?.(outcome.requests)) ?? null,
    system: services ? systemCpu(server, await services(processesAfter)) : null,
    machineBusyShare,
    otherLoad: otherLoad(processesBefore, processesAfter, targetPids),
    rss: rssSample,
  };
}

/** An open loop's figures: those every run has, and its own for the run's openLoop detail. */
function splitOpenLoop(
  figures: OpenLoopFigures,
): [LoadFigures, Omit<OpenLoopDetail, "clockFloor">] {
  const {
    durationSeconds,
    requests,
    rps,
    statuses,
    errors,
    timeouts,
    unexpected,
    latencyUs,
    generator,
    ...detail
  } = figures;
  return [
    {
      durationSeconds,
      requests,
      rps,
      statuses,
      errors,
      timeouts,
      unexpected,
      latencyUs,
      generator,
    },
    detail,
  ];
}

const stepFigures = ({ rate, passed, figures }: CapacityStep): CapacityStepFigures => ({
  rate,
  passed,
  achievedRps: figures.rps,
  dropped: figures.dropped,
  saturated: figures.saturated,
  unexpected: figures.unexpected,
  responseUs: figures.latencyUs,
  serviceP99Us: figures.serviceTimeUs?.p99 ?? null,
  lagP99Us: figures.scheduleLagUs?.p99 ?? null,
  generatorCoreShare: figures.generator.coreShare,
  generatorCpuUsPerRequest: generatorCpuUsPerRequest(figures),
});

/**
 * The closed loop: autocannon, a warm-up, then the measured window. cold-start and expiry have
 * no warm-up (their options say so: the cache must start empty) and are recorded in 100 ms bins.
 */
async function closedWindow(url: string, mode: LoadMode, inWindow: InWindow): Promise<Window> {
  const { plan, options, signal, fault } = inWindow;
  const load = { connections: options.connections };
  // A warm-up is thrown away, not unchecked: a server that answered it wrongly is not warm.
  const warm =
    options.warmup > 0
      ? await runAutocannon(url, plan, { ...load, seconds: options.warmup, record: false }, signal)
      : null;
  let timeline: ReturnType<typeof recordTimeline> | undefined;
  let injected: Promise<FaultTimes> | undefined;
  const measured = await scraped(url, inWindow, () => {
    const binned = STAMPEDE_SCENARIOS.has(options.scenario) || options.fault !== null;
    timeline = binned ? recordTimeline(url) : undefined;
    injected = fault ? injectFault(fault.fault, fault.redis, signal) : undefined;
    return runAutocannon(
      url,
      plan,
      {
        ...load,
        seconds: options.duration,
        // The unrecorded ceiling measures what the harness's own histogram costs the generator.
        record: mode !== UNRECORDED,
        ...(timeline ? { onResponse: timeline.onResponse } : {}),
      },
      signal,
    );
  });
  return {
    ...measured,
    warm,
    openLoop: null,
    capacity: null,
    problem: null,
    timeline: (await timeline?.stop()) ?? null,
    fault: (await injected) ?? null,
  };
}

/** --rate: the open loop at the offered rate, warmed at that same rate. */
async function openWindow(url: string, round: number, inWindow: InWindow): Promise<Window> {
  const { plan, options, signal } = inWindow;
  const rate = options.rate as number;
  const settings = {
    rate,
    arrivals: options.arrivals,
    connections: options.connections,
    maxInFlight: options.maxInFlight ?? backlogFor(rate),
    seed: round,
  };
  const warm =
    options.warmup > 0
      ? await runOpenLoop(url, plan, { ...settings, seconds: options.warmup }, signal)
      : null;
  const floor = clockFloor();
  const measured = await scraped(url, inWindow, () =>
    runOpenLoop(url, plan, { ...settings, seconds: options.duration }, signal),
  );
  const [outcome, detail] = splitOpenLoop(measured.outcome);
  return {
    ...measured,
    outcome,
    warm,
    openLoop: { ...detail, clockFloor: floor },
    capacity: null,
    problem: null,
    timeline: null,
    fault: null,
  };
}

/**
 * --capacity: a closed-loop run warms the server and measures its throughput (the run's own
 * figures, server CPU included); the search then starts from that throughput.
 */
async function capacityWindow(url: string, round: number, inWindow: InWindow): Promise<Window> {
  const { plan, options, signal, onStep } = inWindow;
  const seconds = Math.max(CAPACITY_PROBE_MIN_SECONDS, options.warmup);
  const probe = await scraped(url, inWindow, () =>
    runAutocannon(url, plan, { connections: options.connections, seconds, record: true }, signal),
  );
  const floor = clockFloor();
  const search =
    probe.outcome.unexpected === 0 && probe.outcome.rps > 0
      ? await findCapacity(
          url,
          plan,
          {
            ...CAPACITY_SEARCH,
            seconds: options.duration,
            arrivals: options.arrivals,
            connections: options.connections,
            sloP99Ms: options.sloP99Ms,
            startRate: probe.outcome.rps,
            seed: round,
          },
          signal,
          onStep,
        )
      : null;
  return {
    ...probe,
    warm: null,
    openLoop: null,
    capacity: search && {
      sloP99Ms: options.sloP99Ms,
      capacity: search.capacity,
      brokenAt: search.brokenAt,
      steps: search.steps.map(stepFigures),
      clockFloor: floor,
    },
    problem: search?.invalid ?? null,
    timeline: null,
    fault: null,
  };
}

/** What the ready line says that changes what a run measures. */
const SETTINGS = [
  "loginLimits",
  "hashConcurrency",
  "hashQueue",
  "injectCpuUs",
  "coalesce",
  "cacheTtlJitter",
] as const satisfies readonly (keyof ServerSettings)[];
const settingsOf = (ready: ReadyLine): ServerSettings => ({
  ...(Object.fromEntries(SETTINGS.map((key) => [key, ready[key]])) as Omit<ServerSettings, "jwt">),
  jwt: ready.jwt ?? null,
});

/** The flood's generator CPU is the harness process's, already in the reads' own figure. */
function withoutGenerator({ generator: _, ...figures }: LoadFigures): FloodFigures {
  return figures;
}

/** One run of one arm against a server that is up: warm-up, measured window, checks. */
export async function measure(
  url: string,
  server: RunningServer | undefined,
  { mode, variant, pinned, version }: Arm,
  round: number,
  measurement: Measurement,
): Promise<RunResult> {
  const { flood, options, signal } = measurement;
  const startedAt = new Date().toISOString();
  const stopFlood = new AbortController();
  const flooding = flood
    ? runAutocannon(
        url,
        flood,
        {
          connections: options.floodConnections,
          rate: options.floodRate,
          // Until it is stopped, right after the measured window.
          seconds: options.warmup + options.duration + FLOOD_SLACK_SECONDS,
          record: true,
        },
        AbortSignal.any([signal, stopFlood.signal]),
      )
    : null;
  const loop = loopOf(options);
  const pid = server?.child.pid ?? measurement.target?.pid ?? undefined;
  const inWindow = {
    ...measurement,
    local: pid === undefined ? null : { pid, services: measurement.services },
  };
  const window =
    loop === "open"
      ? await openWindow(url, round, inWindow)
      : loop === "capacity"
        ? await capacityWindow(url, round, inWindow)
        : await closedWindow(url, mode, inWindow);
  stopFlood.abort();
  const flooded = flooding ? withoutGenerator(await flooding) : null;
  const cache = window.server && (await cacheHeld(window.server, measurement.services));
  const { outcome, warm } = window;

  const crashed = server?.crashed();
  const reasons: string[] = [];
  if (crashed) reasons.push(crashed);
  if (warm && warm.unexpected > 0) reasons.push(unexpectedLine("warm-up: ", warm));
  if (outcome.unexpected > 0) reasons.push(unexpectedLine("", outcome));
  if (window.problem) reasons.push(`capacity search: ${window.problem}`);
  if (flooded && flooded.unexpected > 0) reasons.push(unexpectedLine("flood: ", flooded));
  if (outcome.requests === 0) reasons.push("no responses");
  if (signal.aborted) reasons.push("interrupted");
  return {
    mode,
    variant,
    pinned,
    version,
    round,
    status: crashed ? "failed" : reasons.length > 0 ? "invalid" : "ok",
    reasons,
    startedAt,
    ...outcome,
    server: window.server,
    targetCpu: window.targetCpu,
    system: window.system,
    cache,
    machineBusyShare: window.machineBusyShare,
    otherLoad: window.otherLoad,
    rss: window.rss,
    flood: flooded,
    settings: server ? settingsOf(server.ready) : null,
    openLoop: window.openLoop,
    capacity: window.capacity,
    timeline: window.timeline,
    fault: window.fault,
  };
}

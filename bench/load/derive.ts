import { isJwtMode } from "../../server/modes.js";
import { generatorCpuUsPerRequest } from "../harness/autocannon-run.js";
import type { FaultTimes } from "../harness/fault.js";
import { LATE_LAG_US } from "../harness/open-loop.js";
import { STAMPEDE_SCENARIOS } from "../harness/scenarios.js";
import type { ServiceName } from "../harness/service-cpu.js";
import { BIN_MS, type TimelineBin } from "../harness/timeline.js";
import { fmtNum, fmtPct } from "../report/format.js";
import { type Comparison, compare, median, summarize, summaryOf } from "../stats/index.js";
import {
  baselineOf,
  type CapacitySummary,
  type FaultSummary,
  FLOOD_VARIANTS,
  type FloodFigures,
  type FloodSummary,
  type LoadMode,
  type LoadResults,
  type ModeSummary,
  type OpenLoopSummary,
  type PinningSummary,
  type RunResult,
  STAMPEDE_VARIANTS,
  type StampedeSummary,
  type Variant,
} from "./schema.js";

/** Per-round ratios spread wider than this (their coefficient of variation): the rounds disagree. */
const MAX_RATIO_SPREAD = 0.1;
/** A change this many times the rounds' spread stands out of their noise whatever the spread. */
const SPREAD_MARGIN = 2;
/** Processes outside the benchmark using more than this share of a core during a run. */
const MAX_OTHER_LOAD = 0.25;

/**
 * A run without a flood beside it: what every table, claim and gate compares. (A login-flood
 * baseline run is one; v1 files, and every other scenario, have no variant.) With --pin-cpus both,
 * the unpinned arm: the pinned one is compared with it in the pinning table. In an A/B run, the
 * candidate's: the A/B report compares the base's runs with them.
 */
export const isPlain = (run: RunResult): boolean => isShipped(run) && run.version !== "base";
/** A run of the server as shipped, unpinned with --pin-cpus both, of either version of an A/B run. */
export const isShipped = (run: RunResult): boolean =>
  (!run.variant || SHIPPED.has(run.variant)) && run.pinned !== true;
/** The arms that run the server as shipped: a login flood's baseline, a stampede's defences on. */
const SHIPPED: ReadonlySet<Variant> = new Set([
  "baseline",
  ...Object.values(STAMPEDE_VARIANTS).map(([shipped]) => shipped),
]);

/**
 * One figure of `mode` and of `baseline`, from the rounds where both runs are valid and have it,
 * in round order: index i of each ran in the same round, which is what lets a ratio cancel drift.
 */
export function pairedByRound(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
  value: RunFigure,
  /** Which of `mode`'s runs: by default those without a flood, like the baseline's. */
  ofArm: (run: RunResult) => boolean = isPlain,
  baselineArm: (run: RunResult) => boolean = isPlain,
): [number[], number[]] {
  const byRound = (m: LoadMode, of: (run: RunResult) => boolean) => {
    const values = new Map<number, number>();
    for (const run of runs) {
      const x = run.mode === m && of(run) && run.status === "ok" ? value(run) : null;
      if (typeof x === "number" && Number.isFinite(x)) values.set(run.round, x);
    }
    return values;
  };
  const ours = byRound(mode, ofArm);
  const theirs = byRound(baseline, baselineArm);
  const rounds = [...ours.keys()].filter((round) => theirs.has(round)).sort((a, b) => a - b);
  return [
    rounds.map((round) => ours.get(round) as number),
    rounds.map((round) => theirs.get(round) as number),
  ];
}

/** a ÷ b over paired rounds; null without pairs, or with a zero to divide by. */
const ratio = (a: number[], b: number[]): Comparison | null =>
  a.length > 0 && a.every((value) => value >= 0) && b.every((value) => value > 0)
    ? compare(a, b)
    : null;

export type RunFigure = (run: RunResult) => number | null | undefined;

/**
 * The noise guard: a comparison of `mode` with `baseline` whose per-round ratios disagree by more
 * than MAX_RATIO_SPREAD (unless its change is over SPREAD_MARGIN times that spread), or one of
 * whose valid runs shared the machine with processes outside the benchmark using more than
 * MAX_OTHER_LOAD of a core, gives no verdict: it is withheld, with why.
 */
export function guarded(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
  comparison: Comparison | null,
): Comparison | null {
  if (!comparison) return null;
  const reasons: string[] = [];
  const spread = comparison.ratioSpread;
  const change = Math.abs(comparison.ratio - 1);
  // Rounds that disagree this much could make a change as small as this one: a change more than
  // twice their spread in every direction stands out of it, however noisy the rounds were.
  if (spread !== null && spread > MAX_RATIO_SPREAD && change < SPREAD_MARGIN * spread) {
    reasons.push(
      `its per-round ratios spread ±${fmtPct(spread, 0)}, over ${fmtPct(MAX_RATIO_SPREAD, 0)},` +
        ` and its change (${fmtPct(change, 0)}) is not ${SPREAD_MARGIN} times that`,
    );
  }
  const busy = busyMachine(runs, [mode, baseline]);
  if (busy) reasons.push(busy);
  return reasons.length > 0 ? { ...comparison, withheld: reasons.join("; ") } : comparison;
}

/**
 * Whether processes outside the benchmark used more than MAX_OTHER_LOAD of a core during a valid
 * run of `modes`: the worst such run and who was busy, or null.
 */
export function busyMachine(runs: readonly RunResult[], modes: readonly LoadMode[]): string | null {
  const busy = runs.filter(
    (run) =>
      modes.includes(run.mode) &&
      run.status === "ok" &&
      (run.otherLoad?.coreShare ?? 0) > MAX_OTHER_LOAD,
  );
  const worst = busy.reduce<RunResult | null>(
    (top, run) => ((run.otherLoad?.coreShare ?? 0) > (top?.otherLoad?.coreShare ?? 0) ? run : top),
    null,
  );
  if (!worst?.otherLoad) return null;
  const rounds = [...new Set(busy.map((run) => run.round))].sort((a, b) => a - b).join(", ");
  const who = worst.otherLoad.busiest.map((p) => `${p.name} ${fmtNum(p.coreShare)}`).join(", ");
  return (
    `other processes used up to ${fmtNum(worst.otherLoad.coreShare)} of a core (limit` +
    ` ${MAX_OTHER_LOAD}) in round ${rounds}: ${who}`
  );
}

/**
 * One figure of `mode` over `baseline`'s, paired by round, behind the noise guard: the comparison
 * every table, claim and verdict of a load report rests on. The arms say which runs of each.
 */
export function compareArms(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
  figure: RunFigure,
  ofArm: (run: RunResult) => boolean = isPlain,
  baselineArm: (run: RunResult) => boolean = isPlain,
): Comparison | null {
  const paired = pairedByRound(runs, mode, baseline, figure, ofArm, baselineArm);
  return guarded(runs, mode, baseline, ratio(...paired));
}

/** A mode against another mode; null against itself. */
function against(
  runs: readonly RunResult[],
  mode: LoadMode,
  baseline: LoadMode,
  figure: RunFigure = (run) => run.rps,
): Comparison | null {
  return mode === baseline ? null : compareArms(runs, mode, baseline, figure);
}

const capacityOf: RunFigure = (run) => run.capacity?.capacity;

function openLoopSummary(
  results: LoadResults,
  mode: LoadMode,
  valid: readonly RunResult[],
): OpenLoopSummary | null {
  const rate = results.options.rate;
  if (rate === null) return null;
  const open = valid.flatMap((run) => (run.openLoop ? [{ run, open: run.openLoop }] : []));
  const vs = (baseline: LoadMode, figure: RunFigure) =>
    results.options.modes.includes(baseline) ? against(results.runs, mode, baseline, figure) : null;
  return {
    offeredRate: rate,
    achievedRps: summaryOf(open.map(({ run }) => run.rps)),
    serviceP99Us: summaryOf(open.flatMap(({ open }) => open.serviceTimeUs?.p99 ?? [])),
    lagP99Us: summaryOf(open.flatMap(({ open }) => open.scheduleLagUs?.p99 ?? [])),
    dropped: open.reduce((total, { open }) => total + open.dropped, 0),
    saturatedRuns: open.filter(({ open }) => open.saturated).length,
    lateRuns: open.filter(({ open }) => open.generatorLate).length,
    generatorCpuUsPerRequest: summaryOf(
      open.flatMap(({ run }) => generatorCpuUsPerRequest(run) ?? []),
    ),
    p50VsBaseline: vs(baselineOf(results.options), (run) => run.latencyUs?.p50),
    p99VsBaseline: vs(baselineOf(results.options), (run) => run.latencyUs?.p99),
    p99VsCeiling: vs("ceiling", (run) => run.latencyUs?.p99),
  };
}

function capacitySummary(
  results: LoadResults,
  mode: LoadMode,
  valid: readonly RunResult[],
): CapacitySummary | null {
  if (!results.options.capacity) return null;
  const searches = valid.flatMap((run) => (run.capacity ? [run.capacity] : []));
  const steps = searches.flatMap((search) => search.steps);
  const onTime = steps.filter((step) => step.lagP99Us !== null && step.lagP99Us <= LATE_LAG_US);
  const { modes } = results.options;
  const baseline = baselineOf(results.options);
  return {
    sloP99Ms: results.options.sloP99Ms,
    capacity: summaryOf(searches.map((search) => search.capacity)),
    vsBaseline: modes.includes(baseline) ? against(results.runs, mode, baseline, capacityOf) : null,
    vsCeiling: modes.includes("ceiling")
      ? against(results.runs, mode, "ceiling", capacityOf)
      : null,
    steps: steps.length,
    generatorOnTimeUpTo: onTime.length > 0 ? Math.max(...onTime.map((step) => step.rate)) : null,
  };
}

/** The modes whose server keeps entries in its own memory, in an LRU bounded by --cache-max. */
export const IN_PROCESS: ReadonlySet<LoadMode> = new Set(["memory", "tiered"]);

/** Entries the run's cache held at its end, in the server's memory and in Redis. */
export const cacheEntriesOf: RunFigure = ({ cache }) =>
  cache?.localEntries === null || !cache
    ? undefined
    : cache.localEntries + (cache.redis?.entries ?? 0);

/**
 * Bytes the run's cache held at its end: in-process entries and the LRU's slots weighed as
 * `npm run bench:micro` weighed them, plus what Redis reports for the run's keys. Undefined when
 * a part is unknown (no micro report, a target's cache).
 */
export function cacheBytesOf(results: LoadResults): RunFigure {
  const weights = results.entryWeights;
  // A target's LRU is sized by its own settings, which the results do not hold.
  const targets = new Set(results.options.targets.map((target) => target.name));
  return (run) => {
    const held = run.cache;
    if (!held || targets.has(run.mode)) return undefined;
    // A JWT mode's in-process entries are versions or "not revoked" answers, which the micro
    // benchmark does not weigh.
    if (isJwtMode(run.mode) && held.localEntries !== 0) return undefined;
    let bytes = held.redis?.bytes ?? 0;
    if (IN_PROCESS.has(run.mode)) {
      if (!weights || held.localEntries === null) return undefined;
      bytes += results.options.cacheMax * weights.bytesPerSlot;
      bytes += held.localEntries * weights.bytesPerEntry;
    }
    return bytes;
  };
}

/**
 * A service's CPU per request over a mode's valid runs: the median, "not measured" when a run
 * could not read it, null when it is not on the mode's request path.
 */
export function serviceCpuPerRequest(
  results: LoadResults,
  mode: LoadMode,
  service: ServiceName,
): number | "not measured" | null {
  const valid = results.runs.filter((r) => r.mode === mode && isPlain(r) && r.status === "ok");
  const counted = valid.flatMap((run) =>
    (run.system?.services ?? []).filter((s) => s.service === service).map((s) => ({ run, s })),
  );
  if (counted.length === 0) return null;
  const perRequest: number[] = [];
  for (const { run, s } of counted) {
    if (s.cpuSeconds === null) return "not measured";
    if (run.server && run.server.requests > 0)
      perRequest.push((s.cpuSeconds * 1e6) / run.server.requests);
  }
  return summaryOf(perRequest)?.median ?? null;
}

export const systemCpuOf: RunFigure = (run) => run.system?.cpuUsPerRequest ?? undefined;
/** The server's CPU per request: ours from its /metrics, a target's from its metrics or its pid. */
export const serverCpuOf: RunFigure = (run) =>
  run.server?.cpuUsPerRequest ?? run.targetCpu?.cpuUsPerRequest ?? undefined;

export function summarizeMode(results: LoadResults, mode: LoadMode): ModeSummary {
  const baseline = baselineOf(results.options);
  const all = results.runs.filter((run) => run.mode === mode && isPlain(run));
  const valid = all.filter((run) => run.status === "ok");
  const servers = valid.flatMap((run) => (run.server ? [run.server] : []));
  const latencies = valid.flatMap((run) => (run.latencyUs ? [run.latencyUs] : []));
  const rps = summaryOf(valid.map((run) => run.rps));
  const hitRatios = servers.flatMap((server) =>
    server.hitRatio === null ? [] : [server.hitRatio],
  );
  return {
    mode,
    validRuns: valid.length,
    totalRuns: all.length,
    rps,
    latencyUs:
      latencies.length > 0
        ? {
            p50: summarize(latencies.map((l) => l.p50)),
            p90: summarize(latencies.map((l) => l.p90)),
            p99: summarize(latencies.map((l) => l.p99)),
            p999: summarize(latencies.map((l) => l.p999)),
          }
        : null,
    serverCpuUsPerRequest: summaryOf(valid.flatMap((run) => serverCpuOf(run) ?? [])),
    rssBytes: summaryOf(valid.flatMap((run) => run.rss?.medianBytes ?? run.server?.rssBytes ?? [])),
    rssPeakBytes: summaryOf(valid.flatMap((run) => run.rss?.peakBytes ?? [])),
    hitRatio: summaryOf(hitRatios),
    storeLookupsPerRequest: summaryOf(servers.map((s) => s.storeLookupsPerRequest)),
    sessionLookupMs: summaryOf(servers.flatMap((s) => s.sessionLookupMs ?? [])),
    addedDelayMs: summaryOf(servers.flatMap((s) => s.addedDelayMs ?? [])),
    systemCpuUsPerRequest: summaryOf(valid.flatMap((run) => systemCpuOf(run) ?? [])),
    cacheEntries: summaryOf(valid.flatMap((run) => cacheEntriesOf(run) ?? [])),
    cacheBytes: summaryOf(valid.flatMap((run) => cacheBytesOf(results)(run) ?? [])),
    eventLoopDelayP99Ms: summaryOf(servers.map((s) => s.eventLoopDelayP99Ms)),
    generatorCoreShare: summaryOf(valid.map((run) => run.generator.coreShare)),
    vsCeiling: results.options.modes.includes("ceiling")
      ? against(results.runs, mode, "ceiling")
      : null,
    vsBaseline: results.options.modes.includes(baseline)
      ? against(results.runs, mode, baseline)
      : null,
    saturatedRuns: valid.filter((run) => run.generator.saturated).length,
    openLoop: openLoopSummary(results, mode, valid),
    capacity: capacitySummary(results, mode, valid),
  };
}

export function summarizeModes(results: LoadResults): ModeSummary[] {
  const ran = new Set(results.runs.map((run) => run.mode));
  return results.options.modes
    .filter((mode) => ran.has(mode))
    .map((mode) => summarizeMode(results, mode));
}

/** Where a run's cache settled, how long it took, and how hard the store was hit meanwhile. */
function stampedeFigures(timeline: readonly TimelineBin[]) {
  const quarter = timeline.slice(Math.floor(timeline.length * 0.75));
  const settled = quarter.flatMap((bin) => (bin.hitRatio === null ? [] : [bin.hitRatio]));
  const steady = settled.length > 0 ? median(settled) : null;
  const reached =
    steady === null
      ? undefined
      : timeline.find((bin) => bin.hitRatio !== null && bin.hitRatio >= STEADY_SHARE * steady);
  const lookups = timeline.flatMap((bin) => bin.storeLookupsPerSecond ?? []);
  const p99s = timeline.flatMap((bin) => bin.p99Us ?? []);
  return {
    steady,
    timeToSteadyMs: reached?.atMs ?? null,
    peak: lookups.length > 0 ? Math.max(...lookups) : null,
    median: lookups.length > 0 ? median(lookups) : null,
    worstP99: p99s.length > 0 ? Math.max(...p99s) : null,
  };
}
/** A cache counts as settled at this share of the hit ratio its run ends at. */
const STEADY_SHARE = 0.98;

/** The valid runs of one arm of a stampede scenario. */
export const armRuns = (
  results: LoadResults,
  { mode, variant }: Pick<StampedeSummary, "mode" | "variant">,
): RunResult[] =>
  results.runs.filter((run) => run.mode === mode && run.variant === variant && run.status === "ok");

/** cold-start and expiry: each arm of each mode, from its runs' timelines. */
export function summarizeStampedes(results: LoadResults): StampedeSummary[] {
  if (!STAMPEDE_SCENARIOS.has(results.options.scenario)) return [];
  const variants = [
    null,
    ...STAMPEDE_VARIANTS[results.options.scenario as keyof typeof STAMPEDE_VARIANTS],
  ];
  return results.options.modes.flatMap((mode) =>
    variants.flatMap((variant) => {
      const runs = armRuns(results, { mode, variant });
      if (!results.runs.some((run) => run.mode === mode && run.variant === variant)) return [];
      const figures = runs.flatMap((run) => (run.timeline ? [stampedeFigures(run.timeline)] : []));
      const of = (pick: (f: (typeof figures)[number]) => number | null) =>
        summaryOf(figures.flatMap((f) => pick(f) ?? []));
      return [
        {
          mode,
          variant,
          validRuns: runs.length,
          steadyHitRatio: of((f) => f.steady),
          timeToSteadyMs: of((f) => f.timeToSteadyMs),
          peakLookupsPerSecond: of((f) => f.peak),
          medianLookupsPerSecond: of((f) => f.median),
          worstBinP99Us: of((f) => f.worstP99),
        },
      ];
    }),
  );
}

/** One run's bins before, while and after Redis was down, and how its cache came back. */
function faultFigures(
  timeline: readonly TimelineBin[],
  { stoppedAtMs, restartedAtMs }: FaultTimes,
) {
  const before = timeline.filter((bin) => bin.atMs + BIN_MS <= stoppedAtMs);
  const during = timeline.filter(
    (bin) => bin.atMs >= stoppedAtMs && bin.atMs + BIN_MS <= restartedAtMs,
  );
  const after = timeline.filter((bin) => bin.atMs >= restartedAtMs);
  const perSecond = (bins: readonly TimelineBin[]) =>
    bins.length > 0
      ? bins.reduce((sum, bin) => sum + bin.requests, 0) / ((bins.length * BIN_MS) / 1000)
      : null;
  const hits = before.flatMap((bin) => (bin.hitRatio === null ? [] : [bin.hitRatio]));
  const steady = hits.length > 0 ? median(hits) : null;
  const back =
    steady === null
      ? undefined
      : after.find((bin) => bin.hitRatio !== null && bin.hitRatio >= STEADY_SHARE * steady);
  const lookups = during.flatMap((bin) => bin.storeLookupsPerSecond ?? []);
  const p99s = during.flatMap((bin) => bin.p99Us ?? []);
  return {
    before: perSecond(before),
    during: perSecond(during),
    after: perSecond(after),
    non2xx: during.reduce((sum, bin) => sum + (bin.non2xx ?? 0), 0),
    lookups: lookups.length > 0 ? median(lookups) : null,
    worstP99: p99s.length > 0 ? Math.max(...p99s) : null,
    backMs: back ? Math.max(0, back.atMs + BIN_MS - restartedAtMs) : null,
  };
}

/** --fault: each mode whose runs stopped Redis, from their bins. */
export function summarizeFaults(results: LoadResults): FaultSummary[] {
  if (!results.options.fault) return [];
  return results.options.modes.flatMap((mode) => {
    const runs = results.runs.filter(
      (run) => run.mode === mode && run.status === "ok" && run.fault,
    );
    if (runs.length === 0) return [];
    const figures = runs.flatMap((run) =>
      run.timeline && run.fault ? [faultFigures(run.timeline, run.fault)] : [],
    );
    const of = (pick: (f: (typeof figures)[number]) => number | null) =>
      summaryOf(figures.flatMap((f) => pick(f) ?? []));
    return [
      {
        mode,
        validRuns: runs.length,
        rpsBefore: of((f) => f.before),
        rpsDuring: of((f) => f.during),
        rpsAfter: of((f) => f.after),
        non2xxDuring: figures.reduce((sum, f) => sum + f.non2xx, 0),
        storeLookupsPerSecondDuring: of((f) => f.lookups),
        worstP99UsDuring: of((f) => f.worstP99),
        backToSteadyMs: of((f) => f.backMs),
      },
    ];
  });
}

/** Each flood arm of each mode against that mode's baseline in the same round. */
export function summarizeFloods(results: LoadResults): FloodSummary[] {
  const arms = FLOOD_VARIANTS.filter((v) => v !== "baseline");
  return results.options.modes.flatMap((mode) =>
    arms.flatMap((variant) => {
      const ofArm = (run: RunResult) => run.variant === variant;
      const all = results.runs.filter((run) => run.mode === mode && ofArm(run));
      if (all.length === 0) return [];
      const valid = all.filter((run) => run.status === "ok");
      const floods = valid.flatMap((run) => (run.flood ? [run.flood] : []));
      const perSecond = (count: (flood: FloodFigures) => number) =>
        summaryOf(floods.map((f) => (f.durationSeconds > 0 ? count(f) / f.durationSeconds : 0)));
      const statuses = [...new Set(floods.flatMap((f) => Object.keys(f.statuses)))].sort();
      const p99 = (run: RunResult) => run.latencyUs?.p99;
      return [
        {
          mode,
          variant,
          validRuns: valid.length,
          totalRuns: all.length,
          rps: summaryOf(valid.map((run) => run.rps)),
          rpsVsBaseline: compareArms(results.runs, mode, mode, (r) => r.rps, ofArm),
          p99Us: summaryOf(valid.flatMap((run) => p99(run) ?? [])),
          p99VsBaseline: compareArms(results.runs, mode, mode, p99, ofArm),
          serverCpuUsPerRequest: summaryOf(valid.flatMap((run) => serverCpuOf(run) ?? [])),
          loginsPerSecond: perSecond((f) => f.requests),
          statusesPerSecond: Object.fromEntries(
            statuses.flatMap((status) => {
              const summary = perSecond((f) => f.statuses[status] ?? 0);
              return summary ? [[status, summary]] : [];
            }),
          ),
          loginP50Us: summaryOf(floods.flatMap((f) => f.latencyUs?.p50 ?? [])),
          loginP99Us: summaryOf(floods.flatMap((f) => f.latencyUs?.p99 ?? [])),
        },
      ];
    }),
  );
}

const pinnedArm = (run: RunResult) => run.pinned === true;

/** --pin-cpus both: each mode pinned against unpinned, and against the baseline in each arm. */
export function summarizePinning(results: LoadResults): PinningSummary[] {
  if (results.options.pinCpus !== "both") return [];
  const { runs } = results;
  const rps: RunFigure = (run) => run.rps;
  const baseline = baselineOf(results.options);
  const withBaseline = results.options.modes.includes(baseline);
  return results.options.modes.map((mode) => {
    const vsBaseline = withBaseline && mode !== baseline;
    return {
      mode,
      pinnedVsUnpinned: compareArms(runs, mode, mode, rps, pinnedArm),
      vsBaselinePinned: vsBaseline
        ? compareArms(runs, mode, baseline, rps, pinnedArm, pinnedArm)
        : null,
      vsBaselineUnpinned: vsBaseline ? compareArms(runs, mode, baseline, rps) : null,
    };
  });
}

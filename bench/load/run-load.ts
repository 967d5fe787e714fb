import { randomInt } from "node:crypto";
import { configInvalid, describeCause } from "../../lib/errors.js";
import { formatCost } from "../../server/auth/password.js";
import { LOAD_USER_COST, DEFAULTS as SERVER_DEFAULTS } from "../../server/config.js";
import { issuerOf, modeSettings, usesRedis } from "../../server/modes.js";
import { OUR_API } from "../harness/api-description.js";
import type { CapacityStep } from "../harness/capacity.js";
import { onCpus, pinHarness, pinningPlan } from "../harness/cpu-pinning.js";
import type { KillableRedis } from "../harness/fault.js";
import { localPidOf } from "../harness/local-pid.js";
import { type RunStart, runRounds } from "../harness/rounds.js";
import {
  loginFloodPlan,
  planScenario,
  type Scenario,
  type ScenarioPlan,
} from "../harness/scenarios.js";
import { type ServerSetup, serverArgs } from "../harness/server-args.js";
import { argsFor, type ServerProgram } from "../harness/server-program.js";
import type { ServicePath } from "../harness/service-cpu.js";
import {
  provideRedis,
  type RedisService,
  requirePostgres,
  startOwnRedis,
} from "../harness/services.js";
import { type RunningServer, spawnServer } from "../harness/spawn-server.js";
import type { Target } from "../harness/targets.js";
import { loginAll, prepareLoadUsers, readPlainCredentials } from "../harness/users.js";
import { createWorkspace } from "../harness/workspace.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import { type Arm, measure } from "./measure.js";
import {
  type BuiltinMode,
  FLOOD_VARIANTS,
  LOAD_SCHEMA,
  LOAD_SCHEMA_VERSION,
  type LoadMode,
  type LoadOptions,
  type LoadReadings,
  type LoadResults,
  loopOf,
  NOTHING_CACHED,
  type RunResult,
  STAMPEDE_VARIANTS,
  UNRECORDED,
  type Variant,
  type VersionInfo,
  type VersionName,
} from "./schema.js";
import { loadViews } from "./views.js";

export type Progress =
  | { kind: "note"; message: string }
  | ({ kind: "run"; mode: LoadMode; variant: Variant | null } & Omit<RunStart<Arm>, "arm">)
  | { kind: "result"; run: RunResult }
  | { kind: "step"; arm: Arm; step: CapacityStep };

/** An A/B run's version of the server: what the runner starts for that version's arms. */
export interface ServerVersion extends VersionInfo {
  program: ServerProgram;
}

export interface LoadBenchmark {
  results: LoadResults;
  folder: ReportFolder;
}

/** The ceiling is the same route without the authenticate hook: only defined for the read routes. */
const CEILING_SCENARIOS = new Set(["read", "zipf"]);
/** Seconds a run takes besides its load: start, login-free readiness, scrapes, graceful stop. */
const RUN_OVERHEAD_SECONDS = 1;
/** Steps a capacity search usually takes (from a closed-loop start to within 5%), for the ETA. */
const TYPICAL_CAPACITY_STEPS = 6;

function secondsPerRun(options: LoadOptions): number {
  if (loopOf(options) !== "capacity")
    return options.warmup + options.duration + RUN_OVERHEAD_SECONDS;
  return (
    Math.max(1, options.warmup) +
    TYPICAL_CAPACITY_STEPS * (options.duration + 0.3) +
    RUN_OVERHEAD_SECONDS
  );
}

export async function runLoadBenchmark(
  given: LoadOptions,
  progress: (event: Progress) => void,
  signal: AbortSignal,
  readings: Partial<LoadReadings> = {},
  /** An A/B run: each mode runs once per version per round; none: this tree's server alone. */
  versions: readonly ServerVersion[] = [],
): Promise<LoadBenchmark> {
  const options = { ...given, targets: given.targets.map(withLocalPid(progress)) };
  const skipped: LoadResults["skipped"] = [];
  const targetOf = (mode: LoadMode) => options.targets.find((target) => target.name === mode);
  const targeted = options.targets.length > 0;
  let modes: LoadMode[] = targeted ? options.targets.map((t) => t.name) : [...options.modes];
  const skip = (mode: LoadMode, reason: string) => {
    skipped.push({ mode, reason });
    modes = modes.filter((m) => m !== mode);
    progress({ kind: "note", message: `skipping ${mode}: ${reason}` });
  };
  for (const ceiling of ["ceiling", UNRECORDED] as const) {
    if (modes.includes(ceiling) && !CEILING_SCENARIOS.has(options.scenario)) {
      skip(
        ceiling,
        `the ceiling is the read route without authentication; ${options.scenario} has no such route`,
      );
    }
  }
  const loop = loopOf(options);
  const pinning = options.pinCpus === "off" ? null : pinningPlan();
  if (typeof pinning === "string") throw configInvalid(pinning);
  if (pinning) {
    progress({
      kind: "note",
      message: `pinning: the generator on CPU ${pinning.generator}, the servers on CPU ${pinning.servers}; Redis and PostgreSQL unpinned`,
    });
  }
  if (loop !== "closed" && modes.includes(UNRECORDED)) {
    skip(UNRECORDED, "the open loop always records its histograms: there is nothing to compare");
  }
  const jwtChoices = { jwtAlg: options.jwtAlg, versionCache: options.jwtVersionCache };
  /** What a mode's server does; a target is taken as a server that asks its store every time. */
  const settingsOf = (mode: LoadMode) => {
    const server = targetOf(mode) ? "none" : serverMode(mode as BuiltinMode);
    return modeSettings(server === "ceiling" ? "none" : server, jwtChoices);
  };
  const needsRedis = (mode: LoadMode) => usesRedis(settingsOf(mode));
  let redis: RedisService | undefined;
  let killable: KillableRedis | undefined;
  if (modes.some(needsRedis)) {
    // A fault stops a Redis: our own, started for this run, never the one the user named.
    const own = options.fault ? await startOwnRedis() : undefined;
    if (own && typeof own !== "string") killable = own;
    const provided = own ?? (await provideRedis(options.redisUrl, options.redisCluster));
    if (typeof provided === "string") {
      for (const mode of modes.filter(needsRedis)) skip(mode, provided);
    } else {
      redis = provided;
      if (provided.private)
        progress({ kind: "note", message: `started a private redis-server at ${provided.url}` });
    }
  }
  const postgres =
    options.store === "postgres" && !targeted
      ? await requirePostgres(options.databaseUrl)
      : undefined;
  if (postgres?.private)
    progress({ kind: "note", message: `started a private PostgreSQL at ${postgres.url}` });
  const databaseUrl = postgres?.url ?? options.databaseUrl;

  const users = targeted
    ? await readPlainCredentials(options.credentials as string)
    : await prepareLoadUsers(options.users).then((prepared) => prepared.users);
  const serverFiles = targeted ? [] : [`data/bench-users-${options.users}.json`];
  const workspace = createWorkspace(options.store, databaseUrl, redis);
  // Each version of an A/B run has a store of its own: an older server may lay out its tables
  // differently, and logs its users in itself.
  const versionNames: (VersionName | null)[] =
    versions.length > 0 ? versions.map((v) => v.name) : [null];
  const stores = new Map(
    versionNames.map((name) => [
      name,
      {
        sqlitePath: workspace.sqlitePath(name ?? undefined),
        pgSchema: workspace.pgSchema(name ?? undefined),
      },
    ]),
  );
  // A prefix per run: every redis run starts as cold as every memory run.
  const keyPrefixOf = (round: number, arm: Pick<Arm, "mode" | "variant" | "version">) =>
    workspace.redisKeyPrefix([round, arm.mode, arm.variant, arm.version].filter(Boolean).join("-"));
  /** The services a mode's server asks on its request path: their CPU is the request's too. */
  const servicesOf = (round: number, arm: Arm): ServicePath => ({
    redis:
      needsRedis(arm.mode) && redis
        ? { url: redis.url, cluster: redis.cluster, keyPrefix: keyPrefixOf(round, arm) }
        : null,
    databaseUrl: options.store === "postgres" ? databaseUrl : null,
  });
  const jwt = modes.some((mode) => settingsOf(mode).tokens === "jwt")
    ? { ...jwtChoices, keyFiles: await workspace.jwtKeyFiles() }
    : undefined;
  /** Everything one run's server is started with, apart from its mode. */
  const setup = (round: number, arm: Arm): ServerSetup => ({
    jwt,
    ...variantSettings(arm.variant),
    ...(stores.get(arm.version) as { sqlitePath: string; pgSchema: string }),
    store: options.store,
    databaseUrl,
    redisUrl: redis?.url ?? options.redisUrl,
    redisCluster: options.redisCluster,
    redisKeyPrefix: keyPrefixOf(round, arm),
    credentials: serverFiles,
    cacheTtl: options.cacheTtl,
    cacheMax: options.cacheMax,
    originLatencyMs: options.originLatencyMs,
  });

  const provenance = await collectProvenance({
    services: {
      redis: redis?.version ?? null,
      postgres: postgres?.version ?? null,
      sqlite: options.store === "sqlite" && !targeted ? "better-sqlite3 (embedded)" : null,
    },
    passwordCost: targeted ? null : formatCost(LOAD_USER_COST),
  });
  const orderSeed = options.orderSeed ?? randomInt(2 ** 32);
  const results: LoadResults = {
    schema: LOAD_SCHEMA,
    version: LOAD_SCHEMA_VERSION,
    status: "running",
    options: { ...options, modes, orderSeed },
    provenance,
    skipped,
    runs: [],
    summaries: [],
    floods: [],
    pinning: [],
    stampedes: [],
    faults: [],
    entryWeights: readings.entryWeights ?? null,
    revocation: readings.revocation ?? null,
    versions: versions.map(({ program: _, ...info }) => ({
      ...info,
      droppedFlags: [...info.droppedFlags],
    })),
  };
  /** What one arm's server is started as: this tree's, or its version's with the flags it knows. */
  const commandOf = (round: number, arm: Arm) => {
    const mode = serverMode(arm.mode as BuiltinMode);
    const args = [...serverArgs(mode, setup(round, arm)), ...options.serverArgs];
    const index = versions.findIndex((v) => v.name === arm.version);
    const version = versions[index];
    const info = results.versions[index];
    if (!version || !info) return { args, main: undefined };
    const fitted = argsFor(args, version.program);
    for (const flag of fitted.dropped.filter((f) => !info.droppedFlags.includes(f))) {
      info.droppedFlags.push(flag);
      progress({
        kind: "note",
        message: `${version.name} (${version.source}): its server has no ${flag}, so its runs go without it`,
      });
    }
    return { args: [...fitted.args, ...version.extraArgs], main: version.program.main };
  };
  const folder = await createReportFolder(options.out, options.scenario);
  const recording = {
    folder,
    results,
    signal,
    views: loadViews,
    cleanup: async () => {
      await workspace.cleanup();
      await redis?.stop();
      await postgres?.stop();
    },
  };
  await recordBenchmark(recording, async (save) => {
    const withServer = async <T>(
      arm: Arm,
      round: number,
      work: (url: string, server?: RunningServer) => Promise<T>,
    ) => {
      const pin = pinning && (options.pinCpus === "on" || arm.pinned === true) ? pinning : null;
      if (pin) pinHarness(pin.generator);
      try {
        const target = targetOf(arm.mode);
        if (target) return await work(target.url);
        const { args, main } = commandOf(round, arm);
        const server = await spawnServer(args, pin ? onCpus(pin.servers) : [], main);
        try {
          return await work(server.ready.url, server);
        } finally {
          await server.stop();
        }
      } finally {
        if (pin) pinHarness(null);
      }
    };
    // Sessions live in the store, so one login serves every later server process of a version;
    // a JWT is accepted by every server with its algorithm and key, so one login per issuer.
    const plans = new Map<string, ScenarioPlan>();
    const planKey = (version: VersionName | null, mode: LoadMode) =>
      targetOf(mode) ? `target/${mode}` : `${version}/${issuerOf(settingsOf(mode))}`;
    for (const version of versionNames) {
      for (const mode of modes) {
        const key = planKey(version, mode);
        if (plans.has(key)) continue;
        const opaque = settingsOf(mode).tokens === "opaque";
        const target = targetOf(mode);
        const whose = [
          version ? ` into the ${version}'s store` : "",
          target ? ` at ${mode}` : opaque ? "" : ` for ${mode}'s JWTs`,
        ].join("");
        progress({ kind: "note", message: `logging in ${users.length} users${whose}` });
        const loginMode = opaque && !target ? "none" : mode;
        const login = { mode: loginMode, variant: null, pinned: null, version } as const;
        const api = target?.api ?? OUR_API;
        const sessions = await withServer(login, 0, (url) => loginAll(url, users, api));
        plans.set(
          key,
          planScenario(
            options.scenario,
            {
              sessions: sessions.filter((session) => session.role !== "admin"),
              credentials: users.filter((user) => user.role !== "admin"),
              admin: sessions.find((session) => session.role === "admin"),
            },
            api,
          ),
        );
      }
    }

    // The flood guesses a real account's password; the reads never log in, so the account's
    // back-off cannot touch them.
    const victim = users.find((user) => user.role !== "admin")?.username ?? "nobody";
    const pins = options.pinCpus === "both" ? [true, false] : [null];
    await runRounds({
      arms: modes.flatMap((mode) =>
        variantsOf(options.scenario, mode).flatMap((variant) =>
          pins.flatMap((pinned) =>
            versionNames.map((version) => ({ mode, variant, pinned, version })),
          ),
        ),
      ),
      rounds: options.runs,
      seed: orderSeed,
      secondsPerRun: secondsPerRun(options),
      signal,
      onStart: ({ arm, ...start }) => progress({ kind: "run", ...arm, ...start }),
      run: (arm, round) =>
        withServer(arm, round, (url, server) =>
          measure(url, server, arm, round, {
            plan: plans.get(planKey(arm.version, arm.mode)) as ScenarioPlan,
            flood: arm.variant && arm.variant !== "baseline" ? loginFloodPlan(victim) : null,
            options,
            services: servicesOf(round, arm),
            target: targetOf(arm.mode) ?? null,
            fault:
              options.fault && killable && needsRedis(arm.mode)
                ? { fault: options.fault, redis: killable }
                : null,
            signal,
            onStep: (step) => progress({ kind: "step", arm, step }),
          }),
        ).catch((error: unknown) => failedRun(arm, round, describeCause(error))),
      onResult: async (run) => {
        results.runs.push(run);
        progress({ kind: "result", run });
        await save();
      },
    });
  });
  return { results, folder };
}

/**
 * A target on this machine without a pid gets the one listening on its port: its CPU can then be
 * read, and it does not count as other load on the machine, which would withhold every verdict.
 */
const withLocalPid =
  (progress: (event: Progress) => void) =>
  (target: Target): Target => {
    if (target.pid !== null) return target;
    const pid = localPidOf(target.url);
    if (pid === null) return target;
    progress({
      kind: "note",
      message: `${target.name}: process ${pid} on this machine listens on its port; its CPU is read from /proc`,
    });
    return { ...target, pid };
  };

/**
 * What an arm changes in its server: the login-flood arms run the login limits as shipped (the
 * unlimited one without them); a stampede arm turns single-flight or TTL jitter off.
 */
function variantSettings(variant: Variant | null): Partial<ServerSetup> {
  switch (variant) {
    case null:
    case "single-flight on":
    case "jitter on":
      return {};
    case "single-flight off":
      return { coalesce: "off" };
    case "jitter off":
      return { cacheTtlJitter: 0 };
    default:
      return {
        loginLimits: variant === "flood-unlimited" ? "off" : "on",
        hashQueue: SERVER_DEFAULTS.hashQueue,
      };
  }
}

/** The arms of each mode: its variants in the login-flood and stampede scenarios. */
function variantsOf(scenario: Scenario, mode: LoadMode): readonly (Variant | null)[] {
  if (scenario === "login-flood") return FLOOD_VARIANTS;
  if (scenario === "cold-start" || scenario === "expiry") {
    // A mode without a cache has nothing to fill or to expire: it runs once, as the store's load.
    return NOTHING_CACHED.has(mode) ? [null] : STAMPEDE_VARIANTS[scenario];
  }
  return [null];
}
const serverMode = (mode: BuiltinMode) => (mode === UNRECORDED ? "ceiling" : mode);

function failedRun(
  { mode, variant, pinned, version }: Arm,
  round: number,
  reason: string,
): RunResult {
  return {
    mode,
    variant,
    pinned,
    version,
    round,
    status: "failed",
    reasons: [reason],
    startedAt: new Date().toISOString(),
    durationSeconds: 0,
    requests: 0,
    rps: 0,
    statuses: {},
    errors: 0,
    timeouts: 0,
    unexpected: 0,
    latencyUs: null,
    server: null,
    targetCpu: null,
    system: null,
    cache: null,
    generator: { cpuSeconds: 0, coreShare: 0, saturated: false },
    machineBusyShare: null,
    otherLoad: null,
    rss: null,
    flood: null,
    settings: null,
    openLoop: null,
    capacity: null,
    timeline: null,
    fault: null,
  };
}

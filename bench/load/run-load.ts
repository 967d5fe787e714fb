import { randomInt } from "node:crypto";
import { describeCause } from "../../lib/errors.js";
import type { ReadyLine } from "../../lib/ready-line.js";
import { formatCost } from "../../server/auth/password.js";
import { LOAD_USER_COST, DEFAULTS as SERVER_DEFAULTS } from "../../server/config.js";
import { type LoadFigures, runAutocannon } from "../harness/autocannon-run.js";
import { busyShare, machineCpu } from "../harness/machine-cpu.js";
import { type RunStart, runRounds } from "../harness/rounds.js";
import { loginFloodPlan, planScenario, type ScenarioPlan } from "../harness/scenarios.js";
import { type ServerSetup, serverArgs } from "../harness/server-args.js";
import { scrapeMetrics, serverSample } from "../harness/server-metrics.js";
import { provideRedis, type RedisService, requirePostgres } from "../harness/services.js";
import { type RunningServer, spawnServer } from "../harness/spawn-server.js";
import { loginAll, prepareLoadUsers, readPlainCredentials } from "../harness/users.js";
import { createWorkspace } from "../harness/workspace.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import {
  FLOOD_VARIANTS,
  type FloodFigures,
  type FloodVariant,
  LOAD_SCHEMA,
  LOAD_SCHEMA_VERSION,
  type LoadMode,
  type LoadOptions,
  type LoadResults,
  type RunResult,
  type ServerSettings,
  UNRECORDED,
} from "./schema.js";
import { loadViews } from "./views.js";

export type Progress =
  | { kind: "note"; message: string }
  | ({ kind: "run"; mode: LoadMode; variant: FloodVariant | null } & Omit<RunStart<Arm>, "arm">)
  | { kind: "result"; run: RunResult };

export interface LoadBenchmark {
  results: LoadResults;
  folder: ReportFolder;
}

/** The ceiling is the same route without the authenticate hook: only defined for the read routes. */
const CEILING_SCENARIOS = new Set(["read", "zipf"]);
/** Seconds a run takes besides its load: start, login-free readiness, scrapes, graceful stop. */
const RUN_OVERHEAD_SECONDS = 1;

export async function runLoadBenchmark(
  options: LoadOptions,
  progress: (event: Progress) => void,
  signal: AbortSignal,
): Promise<LoadBenchmark> {
  const skipped: LoadResults["skipped"] = [];
  let modes = [...options.modes];
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
  let redis: RedisService | undefined;
  if (modes.includes("redis") || modes.includes("tiered")) {
    const provided = await provideRedis(options.redisUrl);
    if (typeof provided === "string") {
      for (const mode of ["redis", "tiered"] as const)
        if (modes.includes(mode)) skip(mode, provided);
    } else {
      redis = provided;
      if (provided.private)
        progress({ kind: "note", message: `started a private redis-server at ${provided.url}` });
    }
  }
  const postgres =
    options.store === "postgres" && options.target === null
      ? await requirePostgres(options.databaseUrl)
      : undefined;
  if (postgres?.private)
    progress({ kind: "note", message: `started a private PostgreSQL at ${postgres.url}` });
  const databaseUrl = postgres?.url ?? options.databaseUrl;

  const users = options.target
    ? await readPlainCredentials(options.credentials as string)
    : await prepareLoadUsers(options.users).then((prepared) => prepared.users);
  const serverFiles = options.target ? [] : [`data/bench-users-${options.users}.json`];
  const workspace = createWorkspace(options.store, databaseUrl, redis?.url);
  const sqlitePath = workspace.sqlitePath();
  const pgSchema = workspace.pgSchema();
  /** Everything one run's server is started with, apart from its mode. */
  const setup = (round: number, { mode, variant }: Arm): ServerSetup => ({
    ...loginSettings(variant),
    store: options.store,
    sqlitePath,
    pgSchema,
    databaseUrl,
    redisUrl: redis?.url ?? options.redisUrl,
    // A prefix per run: every redis run starts as cold as every memory run.
    redisKeyPrefix: workspace.redisKeyPrefix([round, mode, variant].filter(Boolean).join("-")),
    credentials: serverFiles,
    cacheTtl: options.cacheTtl,
    cacheMax: options.cacheMax,
    originLatencyMs: options.originLatencyMs,
  });

  const provenance = await collectProvenance({
    services: {
      redis: redis?.version ?? null,
      postgres: postgres?.version ?? null,
      sqlite: options.store === "sqlite" && !options.target ? "better-sqlite3 (embedded)" : null,
    },
    passwordCost: options.target ? null : formatCost(LOAD_USER_COST),
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
      if (options.target) return work(options.target);
      const server = await spawnServer(serverArgs(serverMode(arm.mode), setup(round, arm)));
      try {
        return await work(server.ready.url, server);
      } finally {
        await server.stop();
      }
    };
    progress({ kind: "note", message: `logging in ${users.length} users` });
    // Sessions live in the store, so one login serves every later server process.
    const sessions = await withServer({ mode: "none", variant: null }, 0, (url) =>
      loginAll(url, users),
    );
    const plan = planScenario(options.scenario, {
      sessions: sessions.filter((session) => session.role !== "admin"),
      credentials: users.filter((user) => user.role !== "admin"),
      admin: sessions.find((session) => session.role === "admin"),
    });

    // The flood guesses a real account's password; the reads never log in, so the account's
    // back-off cannot touch them.
    const victim = users.find((user) => user.role !== "admin")?.username ?? "nobody";
    const variants = options.scenario === "login-flood" ? FLOOD_VARIANTS : [null];
    await runRounds({
      arms: modes.flatMap((mode) => variants.map((variant) => ({ mode, variant }))),
      rounds: options.runs,
      seed: orderSeed,
      secondsPerRun: options.warmup + options.duration + RUN_OVERHEAD_SECONDS,
      signal,
      onStart: ({ arm, ...start }) => progress({ kind: "run", ...arm, ...start }),
      run: (arm, round) =>
        withServer(arm, round, (url, server) =>
          measure(url, server, arm, round, {
            plan,
            flood: arm.variant && arm.variant !== "baseline" ? loginFloodPlan(victim) : null,
            options,
            signal,
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

/** One arm of the interleaved rounds: a mode, and in the login-flood scenario one of its variants. */
interface Arm {
  mode: LoadMode;
  variant: FloodVariant | null;
}

/** The baseline and the limited flood run the server as shipped; the unlimited one without limits. */
const loginSettings = (variant: FloodVariant | null): Partial<ServerSetup> =>
  variant === null
    ? {}
    : {
        loginLimits: variant === "flood-unlimited" ? "off" : "on",
        hashQueue: SERVER_DEFAULTS.hashQueue,
      };
/** How long the flood may outlast the measured window before it is stopped. */
const FLOOD_SLACK_SECONDS = 30;

const serverMode = (mode: LoadMode) =>
  mode === "target" ? "none" : mode === UNRECORDED ? "ceiling" : mode;

function failedRun({ mode, variant }: Arm, round: number, reason: string): RunResult {
  return {
    mode,
    variant,
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
    generator: { cpuSeconds: 0, coreShare: 0, saturated: false },
    machineBusyShare: null,
    flood: null,
    settings: null,
  };
}

const unexpectedLine = (what: string, figures: FloodFigures) =>
  `${what}${figures.unexpected} unexpected: statuses ${JSON.stringify(figures.statuses)}, ${figures.errors} errors, ${figures.timeouts} timeouts`;

interface Measurement {
  plan: ScenarioPlan;
  /** Sent beside the reads from before the warm-up to the end of the measured window. */
  flood: ScenarioPlan | null;
  options: LoadOptions;
  signal: AbortSignal;
}

async function measure(
  url: string,
  server: RunningServer | undefined,
  { mode, variant }: Arm,
  round: number,
  { plan, flood, options, signal }: Measurement,
): Promise<RunResult> {
  const startedAt = new Date().toISOString();
  const load = { connections: options.connections };
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
  // A warm-up is thrown away, not unchecked: a server that answered it wrongly is not warm.
  const warm =
    options.warmup > 0
      ? await runAutocannon(url, plan, { ...load, seconds: options.warmup, record: false }, signal)
      : null;
  const before = await scrapeMetrics(url);
  const cpuBefore = machineCpu();
  const outcome = await runAutocannon(
    url,
    plan,
    // The unrecorded ceiling measures what the harness's own histogram costs the generator.
    { ...load, seconds: options.duration, record: mode !== UNRECORDED },
    signal,
  );
  const machineBusy = busyShare(cpuBefore, machineCpu());
  const after = await scrapeMetrics(url);
  stopFlood.abort();
  const flooded = flooding ? withoutGenerator(await flooding) : null;

  const crashed = server?.crashed();
  const reasons: string[] = [];
  if (crashed) reasons.push(crashed);
  if (warm && warm.unexpected > 0) reasons.push(unexpectedLine("warm-up: ", warm));
  if (outcome.unexpected > 0) reasons.push(unexpectedLine("", outcome));
  if (flooded && flooded.unexpected > 0) reasons.push(unexpectedLine("flood: ", flooded));
  if (outcome.requests === 0) reasons.push("no responses");
  if (signal.aborted) reasons.push("interrupted");
  return {
    mode,
    variant,
    round,
    status: crashed ? "failed" : reasons.length > 0 ? "invalid" : "ok",
    reasons,
    startedAt,
    ...outcome,
    server: before && after ? serverSample(before, after) : null,
    machineBusyShare: machineBusy,
    flood: flooded,
    settings: server ? settingsOf(server.ready) : null,
  };
}

const settingsOf = ({
  loginLimits,
  hashConcurrency,
  hashQueue,
  injectCpuUs,
}: ReadyLine): ServerSettings => ({ loginLimits, hashConcurrency, hashQueue, injectCpuUs });

/** The flood's generator CPU is the harness process's, already in the reads' own figure. */
function withoutGenerator({ generator: _, ...figures }: LoadFigures): FloodFigures {
  return figures;
}

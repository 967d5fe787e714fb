import { randomBytes } from "node:crypto";
import { probeUnexpected, usageError } from "../../lib/errors.js";
import { formatCost } from "../../server/auth/password.js";
import { LOAD_USER_COST } from "../../server/config.js";
import { isJwtMode, modeSettings, usesRedis } from "../../server/modes.js";
import {
  type ApiDescription,
  type ApiRequest,
  buildRequest,
  OUR_API,
} from "../harness/api-description.js";
import { backlogFor } from "../harness/capacity.js";
import { runOpenLoop } from "../harness/open-loop.js";
import { planScenario, type Session } from "../harness/scenarios.js";
import { type ServerSetup, serverArgs } from "../harness/server-args.js";
import { provideRedis, type RedisService, requirePostgres } from "../harness/services.js";
import { type RunningServer, spawnServer } from "../harness/spawn-server.js";
import { login, loginAll, prepareLoadUsers, readPlainCredentials } from "../harness/users.js";
import { createWorkspace, type Workspace } from "../harness/workspace.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import { race } from "./probe.js";
import { epochNow, ProbeThread } from "./probe-thread.js";
import {
  PROBED_TARGET,
  REVOCATION_SCHEMA,
  REVOCATION_SCHEMA_VERSION,
  type RevocationEvent,
  type RevocationMode,
  type RevocationOptions,
  type RevocationResults,
  type Trial,
} from "./schema.js";
import { revocationViews } from "./views.js";

const BACKGROUND_USERS = 10;
/** The background's window: longer than any mode's trials; it is stopped when they end. */
const BACKGROUND_SECONDS = 3600;
/** Probing goes on this long past the longest TTL before a token counts as never revoked. */
const PROBE_MARGIN_MS = 1000;
/** --probe: a deployment promising less is still probed this long before "never revoked". */
const TARGET_PROBE_MS = 5000;

type User = { username: string; password: string; role: string };

/**
 * The request that revokes: a logout of the token, or a password change of its user, as the API
 * describes them (the options refuse an event the description has no request for). Anything but
 * the statuses it expects stops the benchmark.
 */
async function revoke(
  event: RevocationEvent,
  baseUrl: string,
  token: string,
  user: User,
  api: ApiDescription,
): Promise<void> {
  const request = (event === "logout" ? api.logout : api.passwordChange) as ApiRequest;
  const { path, ...init } = buildRequest(api, request, {
    ...user,
    token,
    newPassword: randomBytes(12).toString("base64url"),
  });
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  if (!request.expect.includes(response.status))
    throw probeUnexpected(`${baseUrl}${path} answered HTTP ${response.status}: ${text}`);
}

/** --probe: the users of --credentials, enough for the background and one per trial. */
async function probeUsers(options: RevocationOptions, needed: number): Promise<User[]> {
  const users = await readPlainCredentials(options.credentials as string);
  if (users.length < needed) {
    throw usageError(
      `--credentials ${options.credentials}: ${users.length} users, and this run needs ${needed} (${BACKGROUND_USERS} for the background, one per trial): give more, or fewer --trials`,
    );
  }
  return users;
}

export type RevocationProgress =
  | { kind: "note"; message: string }
  | { kind: "mode"; mode: RevocationMode; index: number; total: number };

/** Each mode's median throughput in a load report, for the lag-against-throughput pairs. */
export interface ThroughputReference {
  file: string;
  rps: Record<string, number>;
}

export async function runRevocationBenchmark(
  options: RevocationOptions,
  progress: (event: RevocationProgress) => void,
  signal: AbortSignal,
  throughput: ThroughputReference | null = null,
): Promise<{ results: RevocationResults; folder: ReportFolder }> {
  const skipped: RevocationResults["skipped"] = [];
  let modes = [...options.modes];
  const probing = options.probes.length > 0;
  const needsRedis = (mode: RevocationMode) =>
    mode !== PROBED_TARGET && usesRedis(modeSettings(mode, choicesOf(options)));
  let redis: RedisService | undefined;
  if (modes.some(needsRedis)) {
    const provided = await provideRedis(options.redisUrl, options.redisCluster);
    if (typeof provided === "string") {
      const without = modes.filter(needsRedis);
      for (const mode of without) skipped.push({ mode, reason: provided });
      modes = modes.filter((mode) => !needsRedis(mode));
      progress({ kind: "note", message: `skipping ${without.join(", ")}: ${provided}` });
    } else redis = provided;
  }
  const postgres =
    options.store === "postgres" && !probing
      ? await requirePostgres(options.databaseUrl)
      : undefined;
  if (postgres?.private)
    progress({ kind: "note", message: `started a private PostgreSQL at ${postgres.url}` });
  const databaseUrl = postgres?.url ?? options.databaseUrl;
  const perMode = options.events.length * (options.trials + options.raceTrials);
  const { users, serverFiles } = probing
    ? { users: await probeUsers(options, perMode + BACKGROUND_USERS), serverFiles: [] }
    : await prepareLoadUsers(Math.max(100, perMode + BACKGROUND_USERS));
  const population = probing ? users : users.filter((user) => user.role !== "admin");

  const results: RevocationResults = {
    schema: REVOCATION_SCHEMA,
    version: REVOCATION_SCHEMA_VERSION,
    status: "running",
    options: { ...options, modes },
    provenance: await collectProvenance({
      services: {
        redis: redis?.version ?? null,
        postgres: postgres?.version ?? null,
        sqlite: options.store === "sqlite" && !probing ? "better-sqlite3 (embedded)" : null,
      },
      passwordCost: probing ? null : formatCost(LOAD_USER_COST),
    }),
    skipped,
    background: [],
    trials: [],
    races: [],
    summaries: [],
    lagVsThroughput: [],
  };
  const folder = await createReportFolder(options.out, "revocation");
  const workspace = createWorkspace(options.store, databaseUrl, redis);
  const recording = {
    folder,
    results,
    signal,
    views: {
      ...revocationViews,
      derive: (r: RevocationResults) => {
        revocationViews.derive?.(r);
        r.lagVsThroughput = throughput ? lagAgainstThroughput(r, throughput) : [];
      },
    },
    cleanup: async () => {
      await workspace.cleanup();
      await redis?.stop();
      await postgres?.stop();
    },
  };
  await recordBenchmark(recording, async (save) => {
    for (const [index, mode] of modes.entries()) {
      if (signal.aborted) break;
      progress({ kind: "mode", mode, index, total: modes.length });
      await runMode(mode, options, {
        workspace,
        databaseUrl,
        redisUrl: redis?.url ?? options.redisUrl,
        serverFiles,
        population,
        results,
        signal,
      });
      await save();
    }
  });
  return { results, folder };
}

const choicesOf = (options: RevocationOptions) => ({
  jwtAlg: options.jwtAlg,
  versionCache: options.jwtVersionCache,
});

/**
 * A probe sent this long before a JWT's exp may still be checked after it: the request's way to
 * the server on a busy machine. Revoking modes refuse within milliseconds, far earlier.
 */
const EXPIRY_MARGIN_MS = 100;

/** Whether a JWT's first 401 came before it expired; null for an opaque token, or no 401. */
function refusedBeforeExpiry(token: string, t0: number, lagMs: number | null): boolean | null {
  const payload = token.split(".")[1];
  if (payload === undefined || lagMs === null) return null;
  const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString()) as { exp?: number };
  return typeof exp === "number" ? t0 + lagMs < exp * 1000 - EXPIRY_MARGIN_MS : null;
}

/** Each mode's lag on the other instances beside its throughput in a load report. */
function lagAgainstThroughput(
  results: RevocationResults,
  load: ThroughputReference,
): RevocationResults["lagVsThroughput"] {
  return Object.entries(load.rps).flatMap(([mode, rps]) => {
    const lag = results.summaries.find((s) => s.mode === mode && s.role === "other");
    return lag ? [{ mode: lag.mode, rps, lagP99Ms: lag.p99, report: load.file }] : [];
  });
}

interface ModeContext {
  workspace: Workspace;
  redisUrl: string;
  databaseUrl: string;
  serverFiles: string[];
  population: User[];
  results: RevocationResults;
  signal: AbortSignal;
}

async function runMode(
  mode: RevocationMode,
  options: RevocationOptions,
  context: ModeContext,
): Promise<void> {
  const { workspace, population, results, signal } = context;
  const jwt = mode !== PROBED_TARGET && isJwtMode(mode);
  const api = options.api ?? OUR_API;
  const setup = {
    jwt: jwt ? { ...choicesOf(options), keyFiles: await workspace.jwtKeyFiles() } : undefined,
    store: options.store,
    sqlitePath: workspace.sqlitePath(mode),
    pgSchema: workspace.pgSchema(mode),
    databaseUrl: context.databaseUrl,
    redisUrl: context.redisUrl,
    redisCluster: options.redisCluster,
    redisKeyPrefix: workspace.redisKeyPrefix(mode),
    credentials: context.serverFiles,
    cacheTtl: options.cacheTtl,
    cacheMax: 100_000,
    originLatencyMs: 0,
    localCacheTtl: options.localCacheTtl,
  };
  const servers: RunningServer[] = [];
  const probeThread = new ProbeThread(api);
  const load = new AbortController();
  const stopLoad = () => load.abort();
  signal.addEventListener("abort", stopLoad, { once: true });
  try {
    const { urls, background } =
      mode === PROBED_TARGET
        ? {
            urls: options.probes,
            background: await loginAll(
              options.probes[0] as string,
              population.slice(0, BACKGROUND_USERS),
              api,
            ),
          }
        : await startInstances(mode, options, setup, population, servers);
    const plan = planScenario(
      "read",
      { sessions: background, credentials: [], admin: undefined },
      api,
    );
    // The background runs on Node's timers, not the open loop's spinning clock: its own timing
    // is not read, and a spinning core would be taken from the servers and the probe thread.
    const perInstance = options.loadRate / urls.length;
    const loads =
      perInstance > 0
        ? urls.map((url) =>
            runOpenLoop(
              url,
              plan,
              {
                rate: perInstance,
                seconds: BACKGROUND_SECONDS,
                arrivals: "uniform",
                connections: options.loadConnections,
                maxInFlight: backlogFor(perInstance),
                clock: "timer",
              },
              load.signal,
            ),
          )
        : [];

    let next = BACKGROUND_USERS;
    const longestTtl = Math.max(
      options.cacheTtl,
      options.localCacheTtl,
      jwt ? options.tokenTtl : 0,
    );
    // A deployment's lag is not known from its settings: probed past its promise, and at least
    // as long as ours, so that a late refusal is measured rather than cut off.
    const boundMs =
      mode === PROBED_TARGET
        ? Math.max(options.promiseMs, TARGET_PROBE_MS) + PROBE_MARGIN_MS
        : longestTtl * 1000 + PROBE_MARGIN_MS;
    const prepared = async (trial: number) => {
      const user = population[next++] as User;
      const { token } = await login(urls[trial % urls.length] as string, user, api);
      // Every instance caches the token before it is revoked, and the probe thread holds an
      // open connection to each.
      for (const url of urls) {
        for (let i = 0; i < 2; i++) {
          const status = await probeThread.warm(url, token);
          if (!api.protected.expect.includes(status))
            throw probeUnexpected(`${url} answered a fresh token with ${status}`);
        }
      }
      return { user, token };
    };
    for (const event of options.events) {
      for (let trial = 1; trial <= options.trials && !signal.aborted; trial++) {
        const { user, token } = await prepared(trial);
        const revoking = (trial - 1) % urls.length;
        const started = epochNow();
        await revoke(event, urls[revoking] as string, token, user, api);
        const t0 = epochNow();
        const probes = await Promise.all(
          urls.map((url) =>
            probeThread.probe(url, token, {
              t0,
              intervalMs: options.intervalMs,
              deadline: t0 + boundMs,
              windowMs: options.resurrectionWindowMs,
            }),
          ),
        );
        const record: Trial = {
          mode,
          event,
          trial,
          revokingInstance: revoking,
          revokeMs: t0 - started,
          instances: probes.map((probe, instance) => ({
            instance,
            revoking: instance === revoking,
            ...probe,
            refusedBeforeExpiry: jwt ? refusedBeforeExpiry(token, t0, probe.lagMs) : null,
          })),
        };
        results.trials.push(record);
      }
      for (let trial = 1; trial <= options.raceTrials && !signal.aborted; trial++) {
        const { user, token } = await prepared(trial);
        const outcome = await race(
          urls,
          token,
          options.raceConnections,
          () => revoke(event, urls[0] as string, token, user, api),
          options.resurrectionWindowMs,
          api,
        );
        results.races.push({ mode, event, trial, ...outcome });
      }
    }
    load.abort();
    const outcomes = await Promise.all(loads);
    if (outcomes.length > 0) {
      results.background.push({
        mode,
        offeredRate: options.loadRate,
        rps: outcomes.reduce((sum, outcome) => sum + outcome.rps, 0),
        unexpected: outcomes.reduce((sum, outcome) => sum + outcome.unexpected, 0),
        p99Us: Math.max(...outcomes.map((outcome) => outcome.latencyUs?.p99 ?? 0)),
      });
    }
  } finally {
    load.abort();
    signal.removeEventListener("abort", stopLoad);
    await probeThread.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/**
 * Our mode's probed instances, started in `servers` (which the caller stops). The background's
 * JWTs must outlive every trial: a server of the same key issues them with the harness's long
 * life, before the probed instances (which issue short-lived ones) start. It also creates the
 * schema, which the instances then find.
 */
async function startInstances(
  mode: Exclude<RevocationMode, typeof PROBED_TARGET>,
  options: RevocationOptions,
  setup: ServerSetup,
  population: readonly User[],
  servers: RunningServer[],
): Promise<{ urls: string[]; background: Session[] }> {
  const issuer = await spawnServer([...serverArgs(mode, setup), ...options.serverArgs]);
  const background = await loginAll(
    issuer.ready.url,
    population.slice(0, BACKGROUND_USERS),
  ).finally(() => issuer.stop());
  const probed = isJwtMode(mode) ? { ...setup, tokenTtl: options.tokenTtl } : setup;
  for (let i = 0; i < options.instances; i++)
    servers.push(await spawnServer([...serverArgs(mode, probed), ...options.serverArgs]));
  return { urls: servers.map((server) => server.ready.url), background };
}

import { setTimeout as sleep } from "node:timers/promises";
import { bearerTokenHash } from "../../../server/auth/hooks.js";
import { createVerifier, sessionSource, type Verifier } from "../../../server/auth/verify.js";
import { createCache } from "../../../server/cache/create-cache.js";
import type { TokenCache } from "../../../server/cache/token-cache.js";
import { CACHE_MODES, type CacheMode } from "../../../server/cache/token-cache.js";
import { makeConfig, DEFAULTS as SERVER } from "../../../server/config.js";
import { createMetrics, type Metrics } from "../../../server/metrics.js";
import { parsePrometheus } from "../../harness/server-metrics.js";
import { type Fixtures, issueSession, type SeededStore } from "../fixtures.js";
import { BATCH, type Counters, type SuiteSpec, type TaskSpec } from "../measure.js";
import { wholeTaskId } from "../request-cost.js";

const REDIS_MODES: ReadonlySet<CacheMode> = new Set(["redis", "tiered"]);
/** Modes whose hit never leaves the process: short enough to be timed in batches. */
const IN_PROCESS_HITS: ReadonlySet<CacheMode> = new Set(["memory", "tiered"]);
const FILL_WAIT_MS = 2000;

interface ModeUnderTest {
  mode: CacheMode;
  cache: TokenCache;
  metrics: Metrics;
  /** Exactly what the authenticate hook runs for one request (server/auth/hooks.ts). */
  /** Synchronous for an in-process hit, as in the server's hook; a promise otherwise. */
  check: (header: string) => unknown;
}

/** The verifier's own counters, as /metrics shows them: which path each call really took. */
async function lookups(metrics: Metrics): Promise<Counters> {
  const text = parsePrometheus(await metrics.render());
  const cache = (result: string) => text.get(`acb_cache_lookups_total{result="${result}"}`) ?? 0;
  return {
    "cache hit": cache("hit"),
    "cache miss": cache("miss"),
    "cache bypass": cache("bypass"),
    "store lookup": text.get('acb_store_lookups_total{op="session"}') ?? 0,
  };
}

async function modeUnderTest(
  mode: CacheMode,
  fixtures: Fixtures,
  seeded: SeededStore,
): Promise<ModeUnderTest> {
  const metrics = createMetrics({ cache: mode });
  const config = makeConfig({
    cache: mode,
    redisUrl: fixtures.redis?.url ?? SERVER.redisUrl,
    redisKeyPrefix: `${fixtures.redisKeyPrefix}request:${mode}:`,
  });
  const cache = await createCache(config, metrics).catch((error: unknown) => {
    metrics.close();
    throw error;
  });
  const verify: Verifier = createVerifier({
    cache,
    source: sessionSource(seeded.store),
    metrics,
    clock: Date.now,
    coalesce: config.coalesce === "on",
  });
  return { mode, cache, metrics, check: (header) => verify(bearerTokenHash(header)) };
}

/**
 * Every session verified once, and its fill (sent to Redis, not awaited) arrived: run again
 * before the measured phase, since the miss tasks' warm-ups fill the same bounded cache.
 */
async function warmCache(subject: ModeUnderTest, seeded: SeededStore): Promise<void> {
  for (const session of seeded.sessions) await subject.check(`Bearer ${session.token}`);
  const deadline = Date.now() + FILL_WAIT_MS;
  for (const session of seeded.sessions) {
    while ((await subject.cache.get(session.tokenHash)).kind !== "hit") {
      if (Date.now() > deadline) throw new Error(`${subject.mode}: the cache was not filled`);
      await sleep(5);
    }
  }
}

function hitTask(
  subject: ModeUnderTest,
  seeded: SeededStore,
  headers: readonly string[],
): TaskSpec {
  let next = 0;
  const { mode, check } = subject;
  return {
    ...(mode === "none" ? {} : { before: () => warmCache(subject, seeded) }),
    id: wholeTaskId(mode, mode === "none" ? "store" : "hit"),
    name: mode === "none" ? "none (store)" : `${mode} (hit)`,
    batch: IN_PROCESS_HITS.has(mode) ? BATCH : 1,
    // An in-process hit is answered synchronously; awaiting it would time a microtask the server skips.
    async: !IN_PROCESS_HITS.has(mode),
    call: () => check(headers[next++ % headers.length] as string),
    observe: () => lookups(subject.metrics),
  };
}

function missTask(subject: ModeUnderTest, seeded: SeededStore): TaskSpec {
  let header = "";
  return {
    id: wholeTaskId(subject.mode, "miss"),
    name: `${subject.mode} (miss)`,
    async: true,
    // A token the store has and the cache has never seen, as after a login.
    prepare: async () => {
      header = `Bearer ${(await issueSession(seeded)).token}`;
    },
    call: () => subject.check(header),
    observe: () => lookups(subject.metrics),
  };
}

/** One request's token check in every cache mode, over SQLite, as the server runs it. */
export async function requestSuite(fixtures: Fixtures): Promise<SuiteSpec> {
  const seeded = fixtures.sqlite;
  if (!seeded) throw new Error("the request suite needs the SQLite store");
  const modes = CACHE_MODES.filter((mode) => fixtures.redis !== null || !REDIS_MODES.has(mode));
  const subjects: ModeUnderTest[] = [];
  const close = async () => {
    for (const subject of subjects) {
      await subject.cache.close();
      subject.metrics.close();
    }
  };
  try {
    for (const mode of modes) subjects.push(await modeUnderTest(mode, fixtures, seeded));
  } catch (error) {
    await close();
    throw error;
  }
  const headers = seeded.sessions.map((session) => `Bearer ${session.token}`);
  const skippedModes = CACHE_MODES.filter((mode) => !modes.includes(mode));
  return {
    name: "request",
    title: "one request's whole token check, as the authenticate hook runs it (SQLite store)",
    notes: [
      "each call: header parse, syntax check, SHA-256, then the verifier: the cache, then the store",
      `hit: one of ${headers.length} cached tokens in turn; miss: a token issued just before, never cached; none asks the store every time`,
    ],
    tasks: [
      ...subjects.map((subject) => hitTask(subject, seeded, headers)),
      ...subjects
        .filter((subject) => subject.mode !== "none")
        .map((subject) => missTask(subject, seeded)),
    ],
    skipped:
      skippedModes.length > 0
        ? [{ what: `modes ${skippedModes.join(", ")}`, reason: fixtures.unreachable.redis ?? "" }]
        : [],
    close,
  };
}

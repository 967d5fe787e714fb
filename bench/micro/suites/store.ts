import { hashToken, newToken } from "../../../server/auth/token.js";
import { withOriginLatency } from "../../../server/store/origin-latency.js";
import type { Store } from "../../../server/store/store.js";
import type { Fixtures, SeededStore } from "../fixtures.js";
import { ensure, type SuiteSpec, type TaskSpec } from "../measure.js";

const LABELS = { sqlite: "SQLite", postgres: "PostgreSQL" } as const;
type Kind = keyof typeof LABELS;

/** A store lookup by token hash that finds a session, rotating over every user's. */
function lookupHit(id: string, name: string, store: Store, seeded: SeededStore): TaskSpec {
  const hashes = seeded.sessions.map((session) => session.tokenHash);
  const now = Date.now();
  let next = 0;
  return {
    id,
    name,
    async: true,
    call: async () => {
      const hash = hashes[next++ % hashes.length] as string;
      ensure((await store.findSession(hash, now)) !== undefined, "a live session was not found");
    },
  };
}

function lookupMiss(id: string, name: string, store: Store): TaskSpec {
  const hash = hashToken(newToken());
  const now = Date.now();
  return {
    id,
    name,
    async: true,
    call: async () => {
      ensure((await store.findSession(hash, now)) === undefined, "an unknown token was found");
    },
  };
}

function reachableStores(fixtures: Fixtures): [Kind, SeededStore][] {
  const stores: [Kind, SeededStore | null][] = [
    ["sqlite", fixtures.sqlite],
    ["postgres", fixtures.postgres],
  ];
  return stores.filter((entry): entry is [Kind, SeededStore] => entry[1] !== null);
}

const postgresSkipped = (fixtures: Fixtures) =>
  fixtures.unreachable.postgres === undefined
    ? []
    : [{ what: "PostgreSQL tasks", reason: fixtures.unreachable.postgres }];

/** The source of truth, as the verifier asks it on a cache miss. */
export function storeSuite(fixtures: Fixtures): SuiteSpec {
  return {
    name: "store",
    title: "session lookup by token hash (server/store/*)",
    notes: [],
    tasks: reachableStores(fixtures).flatMap(([kind, seeded]) => [
      lookupHit(`${kind}.find-hit`, `${LABELS[kind]} lookup (hit)`, seeded.store, seeded),
      lookupMiss(`${kind}.find-miss`, `${LABELS[kind]} lookup (miss)`, seeded.store),
    ]),
    skipped: postgresSkipped(fixtures),
  };
}

/**
 * The same hit lookups behind withOriginLatency, as --origin-latency-ms builds them. The timer
 * dominates each call, so a few samples say all there is: the suite keeps them few.
 */
export function originSuite(fixtures: Fixtures, delayMs: number, timeMs: number): SuiteSpec {
  return {
    name: "origin",
    title: `session lookup with ${delayMs} ms of added origin latency (withOriginLatency)`,
    notes: [`each lookup first waits ${delayMs} ms, as the server does with --origin-latency-ms`],
    tasks: reachableStores(fixtures).map(([kind, seeded]) =>
      lookupHit(
        `${kind}.find-hit-origin`,
        `${LABELS[kind]} lookup +${delayMs} ms`,
        withOriginLatency(seeded.store, delayMs),
        seeded,
      ),
    ),
    budget: { timeMs: Math.min(timeMs, 250), minSamples: 10, warmupMs: 0, minWarmupSamples: 2 },
    skipped: postgresSkipped(fixtures),
  };
}

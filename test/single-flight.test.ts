import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePrometheus } from "../bench/harness/server-metrics.js";
import { createVerifier, sessionSource } from "../server/auth/verify.js";
import { createMemoryCache } from "../server/cache/memory.js";
import { entryTtlMs } from "../server/cache/token-cache.js";
import { storeUnavailable } from "../server/errors.js";
import { createMetrics } from "../server/metrics.js";
import { openSqliteStore } from "../server/store/sqlite.js";
import type { Principal, Store } from "../server/store/store.js";
import { get, login, type TestEnv, testEnv } from "./helpers/app.js";

const CONCURRENT = 20;

/** Sessions looked up in the store, and misses that joined one, as /metrics says. */
async function lookups(env: Awaited<ReturnType<TestEnv["build"]>>) {
  const metrics = parsePrometheus((await env.inject({ method: "GET", url: "/metrics" })).body);
  return {
    store: metrics.get('acb_store_lookups_total{op="session"}') ?? 0,
    shared: metrics.get("acb_store_lookups_shared_total") ?? 0,
  };
}

describe("single-flight: concurrent misses for one token", () => {
  let env: TestEnv;
  // A store 20 ms away, so that every request misses before the first answer fills the cache.
  beforeAll(async () => {
    env = await testEnv("sqlite", { originLatencyMs: 20 });
  });
  afterAll(() => env.cleanup());

  const burst = async (overrides: Parameters<TestEnv["build"]>[0]) => {
    const app = await env.build(overrides);
    const token = await login(app, "jane");
    const before = await lookups(app);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, () => get(app, "/items/", token)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(CONCURRENT).fill(200));
    const after = await lookups(app);
    return { store: after.store - before.store, shared: after.shared - before.shared };
  };

  it("share one store lookup per process when on", async () => {
    expect(await burst({ cache: "memory", coalesce: "on" })).toEqual({
      store: 1,
      shared: CONCURRENT - 1,
    });
  });

  it("each send their own when off: the stampede", async () => {
    expect(await burst({ cache: "memory", coalesce: "off" })).toEqual({
      store: CONCURRENT,
      shared: 0,
    });
  });

  it("leave none alone: it asks the store on every request by design", async () => {
    expect(await burst({ cache: "none", coalesce: "on" })).toEqual({
      store: CONCURRENT,
      shared: 0,
    });
  });
});

describe("single-flight when the store fails", () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "acb-flight-"));
    store = openSqliteStore(join(dir, "auth.sqlite"));
    await store.seedUsers([{ username: "jane", role: "user", passwordHash: "x" }]);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("fails every request that joined the lookup, and caches nothing", async () => {
    const user = await store.findUser("jane");
    await store.createSession("a".repeat(64), user?.id ?? 0, Date.now() + 60_000);
    // The real store, whose first read fails after a while, as an unreachable database does.
    let failNext = true;
    const failing: Store = {
      ...store,
      findSession: async (tokenHash, now) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (failNext) {
          failNext = false;
          throw storeUnavailable(new Error("connection reset"));
        }
        return store.findSession(tokenHash, now);
      },
    };
    const cache = createMemoryCache({ maxEntries: 10, ttlMs: 60_000 });
    const metrics = createMetrics({});
    const verify = createVerifier({
      cache,
      source: sessionSource(failing),
      metrics,
      clock: Date.now,
      coalesce: true,
    });
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => verify("a".repeat(64))),
      );
      expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill("rejected"));
      for (const outcome of outcomes) {
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ statusCode: 503 });
      }
      expect(cache.localEntries()).toBe(0);
      // The next request asks the store afresh, which answers now.
      expect(await verify("a".repeat(64))).toMatchObject({ username: "jane" });
      expect(cache.localEntries()).toBe(1);
    } finally {
      metrics.close();
    }
  });
});

describe("TTL jitter", () => {
  const principal: Principal = {
    userId: 1,
    username: "jane",
    role: "user",
    expiresAt: 10_000_000,
  };

  it("shortens each entry's TTL by up to the fraction, never lengthens it", () => {
    const life = (random: number) =>
      entryTtlMs(principal, 0, { ttlMs: 60_000, jitter: 0.2, random: () => random });
    expect(life(0)).toBe(60_000);
    expect(life(0.5)).toBe(54_000);
    expect(life(0.999_999)).toBe(48_000);
    // Still never past the token's own expiry.
    expect(entryTtlMs(principal, 9_990_000, { ttlMs: 60_000, jitter: 0.2, random: () => 0 })).toBe(
      10_000,
    );
  });

  it("spreads the expiries of entries filled together over the jitter's span", async () => {
    // Entries filled at the same moment, with the server's random source.
    const ttls = Array.from({ length: 1000 }, () =>
      entryTtlMs(principal, 0, { ttlMs: 60_000, jitter: 0.2 }),
    );
    expect(Math.max(...ttls)).toBeLessThanOrEqual(60_000);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(48_000);
    // Spread over the span, not bunched: every tenth of it holds some.
    const tenths = new Set(ttls.map((ttl) => Math.min(9, Math.floor((60_000 - ttl) / 1200))));
    expect(tenths.size).toBe(10);
    // Without jitter they all expire together.
    expect(new Set(ttls.map(() => entryTtlMs(principal, 0, { ttlMs: 60_000 }))).size).toBe(1);
  });

  it("reaches the memory cache: entries filled together expire over a span, not at once", async () => {
    // Expiries between 200 and 400 ms after the fill.
    const cache = createMemoryCache({ maxEntries: 100, ttlMs: 400, jitter: 0.5 });
    const hashes = Array.from({ length: 50 }, (_, i) => i.toString(16).padStart(64, "0"));
    const live = { ...principal, expiresAt: Date.now() + 60_000 };
    for (const hash of hashes) cache.fill(hash, live, Date.now());
    const alive = () => hashes.filter((hash) => cache.get(hash).kind === "hit").length;
    expect(alive()).toBe(50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const midway = alive();
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(50);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(alive()).toBe(0);
  });
});

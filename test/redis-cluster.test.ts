import type { FastifyInstance } from "fastify";
import { Cluster } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parsePrometheus } from "../bench/harness/server-metrics.js";
import { modeSettings } from "../server/modes.js";
import { get, login, type TestEnv, testEnv, USERS, type Username } from "./helpers/app.js";
import { eventually } from "./helpers/eventually.js";
import {
  ownRedisUnavailable,
  type RedisClusterFixture,
  startRedisCluster,
} from "./helpers/redis-cluster.js";

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** One at a time: the server checks a few password hashes at once and refuses the rest. */
async function logins(app: FastifyInstance, user: Username, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push(await login(app, user));
  return tokens;
}
const metric = async (app: FastifyInstance, name: string) =>
  parsePrometheus((await app.inject({ url: "/metrics" })).body).get(name) ?? 0;

describe.skipIf(ownRedisUnavailable("a Redis Cluster") !== null)(
  "a Redis Cluster of three masters",
  () => {
    let cluster: RedisClusterFixture;
    let client: Cluster;
    let env: TestEnv;
    beforeAll(async () => {
      cluster = await startRedisCluster();
      client = new Cluster(
        cluster.nodes.map((node) => ({ host: "127.0.0.1", port: Number(node.split(":")[1]) })),
      );
    }, 60_000);
    afterAll(async () => {
      client?.disconnect();
      await cluster?.stop();
    });
    beforeEach(async () => {
      env = await testEnv("sqlite", { redisCluster: cluster.nodes });
    });
    afterEach(() => env.cleanup());

    /** The masters that hold at least one of the keys under `prefix`. */
    const mastersHolding = async (prefix: string) => {
      const counts = await Promise.all(
        client.nodes("master").map(async (node) => (await node.keys(`${prefix}*`)).length),
      );
      return counts.filter((count) => count > 0).length;
    };

    it("redis: a password change writes a tombstone for every token, whichever master holds it, and nothing is served in bypass", async () => {
      const app = await env.build({ cache: "redis" });
      const tokens = await logins(app, "alice", 8);
      for (const token of tokens) expect((await get(app, "/user/", token)).statusCode).toBe(200);
      // Filled entries are written after the answer: wait until every token's entry is in.
      await eventually(async () => (await mastersHolding(env.base.redisKeyPrefix)) >= 2, 2000);
      const changed = await app.inject({
        method: "POST",
        url: "/user/password",
        headers: bearer(tokens[0] as string),
        payload: { old_password: USERS.alice.password, new_password: "a-new-secret" },
      });
      expect(changed.statusCode).toBe(200);
      for (const token of tokens) expect((await get(app, "/user/", token)).statusCode).toBe(401);
      expect(await metric(app, 'acb_cache_lookups_total{result="bypass"}')).toBe(0);
      expect(await metric(app, 'acb_cache_errors_total{op="invalidate"}')).toBe(0);
      const tombstones = await Promise.all(
        client.nodes("master").map(async (node) => {
          const keys = await node.keys(`${env.base.redisKeyPrefix}t:*`);
          return Promise.all(keys.map((key) => node.get(key)));
        }),
      );
      expect(tombstones.flat().filter((value) => value === "-")).toHaveLength(tokens.length);
    });

    it("tiered: a logout on one instance reaches the other's local tier through the cluster's pub/sub", async () => {
      const [a, b] = [await env.build({ cache: "tiered" }), await env.build({ cache: "tiered" })];
      const token = await login(a, "jane");
      for (const app of [a, b]) expect((await get(app, "/user/", token)).statusCode).toBe(200);
      expect(
        (await a.inject({ method: "POST", url: "/logout", headers: bearer(token) })).statusCode,
      ).toBe(204);
      await eventually(async () => (await get(b, "/user/", token)).statusCode === 401, 1000);
    });

    it("jwt-denylist: a logout ends the token on every instance", async () => {
      const settings = { ...modeSettings("jwt-denylist"), jwtKey: "" };
      const a = await env.build(settings);
      const token = await login(a, "jane");
      expect((await get(a, "/user/", token)).statusCode).toBe(200);
      expect(
        (await a.inject({ method: "POST", url: "/logout", headers: bearer(token) })).statusCode,
      ).toBe(204);
      expect((await get(a, "/user/", token)).statusCode).toBe(401);
    });

    // Last: the master it kills stays dead for the rest of the file.
    it("with one master killed, redis and tiered answer every request within the timeout, and revocations still hold", async () => {
      const app = await env.build({ cache: "redis" });
      const tokens = await logins(app, "jane", 8);
      // tiered's instances subscribe on the first seed node: the one killed.
      const [a, b] = [await env.build({ cache: "tiered" }), await env.build({ cache: "tiered" })];
      const shared = await logins(a, "alice", 4);
      for (const token of tokens) expect((await get(app, "/user/", token)).statusCode).toBe(200);
      for (const token of shared) expect((await get(b, "/user/", token)).statusCode).toBe(200);
      // Under load: eight loops keep asking through the kill, each answer timed.
      let loading = true;
      const statuses: number[] = [];
      let slowestMs = 0;
      const loops = Array.from({ length: 8 }, async (_, i) => {
        const token = tokens[i] as string;
        while (loading) {
          const started = performance.now();
          statuses.push((await get(app, "/user/", token)).statusCode);
          slowestMs = Math.max(slowestMs, performance.now() - started);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      cluster.kill(0);
      await new Promise((resolve) => setTimeout(resolve, 800));
      loading = false;
      await Promise.all(loops);
      expect(statuses.length).toBeGreaterThan(100);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      expect(slowestMs).toBeLessThan(env.base.redisTimeoutMs + 500);
      const timed = async (server: FastifyInstance, token: string) => {
        const started = performance.now();
        const { statusCode } = await get(server, "/user/", token);
        // Within the command timeout, and then the store's own read.
        expect(performance.now() - started).toBeLessThan(env.base.redisTimeoutMs + 500);
        return statusCode;
      };
      for (const token of tokens) expect(await timed(app, token)).toBe(200);
      // b lost its subscription: it must not answer from its local tier what it may not have heard.
      await eventually(async () => (await metric(b, "acb_cache_local_entries")) === 0, 2000);
      const [revoked, ...kept] = shared as [string, ...string[]];
      expect(
        (await a.inject({ method: "POST", url: "/logout", headers: bearer(revoked) })).statusCode,
      ).toBe(204);
      expect(await timed(b, revoked)).toBe(401);
      for (const token of kept) expect(await timed(b, token)).toBe(200);
    });
  },
);

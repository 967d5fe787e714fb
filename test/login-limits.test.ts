import { setTimeout as sleep } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../server/config.js";
import { services, type TestEnv, testEnv, USERS, type Username } from "./helpers/app.js";

let env: TestEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

const ON = {
  loginLimits: "on",
  loginAddressLimit: 1000,
  loginFreeFailures: 2,
  loginHoldMs: 0,
} as const;

function attempt(app: FastifyInstance, username: string, password: string, address = "10.0.0.1") {
  return app.inject({
    method: "POST",
    url: "/token",
    payload: { username, password },
    remoteAddress: address,
  });
}
const right = (app: FastifyInstance, user: Username, address?: string) =>
  attempt(app, user, USERS[user].password, address);
const wrong = (app: FastifyInstance, user: string, address?: string) =>
  attempt(app, user, "not-the-password", address);

async function metric(app: FastifyInstance, sample: string): Promise<number> {
  const text = (await app.inject({ method: "GET", url: "/metrics" })).body;
  const line = text.split("\n").find((l) => l.startsWith(`${sample} `));
  return Number(line?.split(" ")[1]);
}

describe("the bound on password hashing", () => {
  it.each([1, 2])(
    "computes at most %i hashes at once and refuses what the queue cannot hold at once, with 503",
    async (concurrency) => {
      // Unknown users are verified against a dummy hash at --password-cost: a slow one here.
      env = await testEnv("sqlite", {
        passwordCost: { ln: 14, r: 8, p: 1 },
        hashConcurrency: concurrency,
        hashQueue: 2,
      });
      const app = await env.build();
      await wrong(app, "nobody"); // makes the dummy hash
      const answered: number[] = [];
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          wrong(app, `nobody-${i}`).then((response) => {
            answered.push(response.statusCode);
            return response;
          }),
        ),
      );
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 401)).toHaveLength(concurrency + 2);
      expect(statuses.filter((s) => s === 503)).toHaveLength(12 - concurrency - 2);
      // Refused without waiting for any hash: every 503 was answered before the first 401.
      expect(answered.slice(0, 12 - concurrency - 2).every((s) => s === 503)).toBe(true);
      const refused = responses.find((r) => r.statusCode === 503);
      expect(refused?.headers["retry-after"]).toBe("1");
      expect(refused?.json()).toMatchObject({ code: "ACB_LOGIN_BUSY" });
      expect(await metric(app, "acb_password_hashes_peak")).toBe(concurrency);
      expect(await metric(app, "acb_password_hashes_rejected_total")).toBe(12 - concurrency - 2);
      expect(await metric(app, "acb_password_hashes_running")).toBe(0);
    },
  );

  it("still verifies an unknown user against a hash, as costly as a known user's", async () => {
    env = await testEnv("sqlite", { hashConcurrency: 1, hashQueue: 0 });
    const app = await env.build();
    expect((await wrong(app, "nobody")).statusCode).toBe(401);
    expect(await metric(app, "acb_password_hashes_peak")).toBe(1);
  });
});

describe("login throttling", () => {
  it("makes an account wait 1 s, then 2 s, after its free failures, and a success resets it", async () => {
    env = await testEnv("sqlite", ON);
    const app = await env.build();
    for (let i = 0; i < 3; i++) expect((await wrong(app, "jane")).statusCode).toBe(401);
    const waiting = await right(app, "jane");
    expect(waiting.statusCode).toBe(429);
    expect(waiting.headers["retry-after"]).toBe("1");
    expect(waiting.json()).toMatchObject({ code: "ACB_LOGIN_THROTTLED" });
    // Another account is not held up by this one.
    expect((await right(app, "alice")).statusCode).toBe(200);

    await sleep(1100);
    expect((await wrong(app, "jane")).statusCode).toBe(401);
    expect((await right(app, "jane")).headers["retry-after"]).toBe("2");

    await sleep(2100);
    expect((await right(app, "jane")).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) expect((await wrong(app, "jane")).statusCode).toBe(401);
    expect((await right(app, "jane")).headers["retry-after"]).toBe("1");
    expect(await metric(app, 'acb_logins_throttled_total{by="account"}')).toBe(3);
  });

  it("limits attempts per client address, other addresses unaffected, and holds each refusal", async () => {
    env = await testEnv("sqlite", {
      ...ON,
      loginAddressLimit: 3,
      loginAddressWindow: 60,
      loginHoldMs: 150,
    });
    const app = await env.build();
    expect((await right(app, "jane", "10.0.0.1")).statusCode).toBe(200);
    expect((await wrong(app, "alice", "10.0.0.1")).statusCode).toBe(401);
    expect((await right(app, "john", "10.0.0.1")).statusCode).toBe(200);
    const started = performance.now();
    const refused = await right(app, "jane", "10.0.0.1");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(50);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
    expect((await right(app, "jane", "10.0.0.2")).statusCode).toBe(200);
    expect(await metric(app, 'acb_logins_throttled_total{by="address"}')).toBe(1);
  });

  it("with --login-limits off, throttles nothing", async () => {
    env = await testEnv("sqlite", { ...ON, loginLimits: "off", loginAddressLimit: 1 });
    const app = await env.build();
    for (let i = 0; i < 8; i++) expect((await wrong(app, "jane")).statusCode).toBe(401);
    expect((await right(app, "jane")).statusCode).toBe(200);
    expect(await metric(app, 'acb_logins_throttled_total{by="address"}')).toBe(0);
  });

  it.skipIf(!services().redisUrl)("shares the counts in Redis between two instances", async () => {
    env = await testEnv("sqlite", { ...ON, loginLimitsStore: "redis", loginFreeFailures: 1 });
    const first = await env.build();
    const second = await env.build();
    expect((await wrong(first, "jane")).statusCode).toBe(401);
    expect((await wrong(second, "jane")).statusCode).toBe(401);
    const refused = await right(first, "jane");
    expect(refused.statusCode).toBe(429);
    expect((await right(second, "jane")).statusCode).toBe(429);
    expect((await right(second, "alice")).statusCode).toBe(200);
  });

  it.each([
    ["--login-limits", "maybe"],
    ["--login-limits-store", "disk"],
    ["--hash-concurrency", "0"],
    ["--hash-queue", "-1"],
    ["--login-address-limit", "lots"],
    ["--login-backoff-max", "0"],
  ])("refuses %s %s naming the flag", (flag, value) => {
    expect(() => loadConfig([flag, value], {})).toThrow(
      expect.objectContaining({
        code: "ACB_CONFIG_INVALID",
        message: expect.stringContaining(flag),
      }),
    );
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CACHE_MODES } from "../server/cache/token-cache.js";
import { modeSettings, type TokenMode } from "../server/modes.js";
import { STORE_KINDS, type StoreKind } from "../server/store/store.js";
import { bearer, get, login, services, type TestEnv, testEnv, USERS } from "./helpers/app.js";

const REALM = 'Bearer realm="auth-cache-bench"';
const { redisUrl, databaseUrl } = services();
/** Every cache mode, and each way of revoking a JWT (the algorithms are the codec's tests). */
const MODES: readonly TokenMode[] = [...CACHE_MODES, "jwt-es256", "jwt-denylist", "jwt-version"];
const matrix = STORE_KINDS.flatMap((store) => MODES.map((mode) => ({ store, mode })));
const needsRedis = new Set<TokenMode>(["redis", "tiered", "jwt-denylist"]);
const unavailable = (store: StoreKind, mode: TokenMode) =>
  (store === "postgres" && !databaseUrl) || (needsRedis.has(mode) && !redisUrl);
const OPAQUE = /^[A-Za-z0-9_-]{43}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

describe.each(matrix)("store $store, mode $mode", ({ store, mode }) => {
  let env: TestEnv;
  let now = Date.now();
  const clock = () => now;
  const settings = modeSettings(mode);
  const { cache } = settings;
  const jwt = settings.tokens === "jwt";
  /** Plain JWTs cannot be taken back; jwt-version takes back every token of the user at once. */
  const revokes = mode !== "jwt-es256";
  const revokesAllOfUser = mode === "jwt-version";
  const app = () => env.build(settings, { clock });

  beforeEach(async () => {
    now = Date.now();
    env = await testEnv(store);
  });
  afterEach(() => env.cleanup());

  describe.skipIf(unavailable(store, mode))("routes", () => {
    it("issues a bearer token (opaque, or a JWT) that must not be cached", async () => {
      const server = await app();
      const response = await server.inject({
        method: "POST",
        url: "/token",
        payload: { username: "john", password: USERS.john.password },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers["cache-control"]).toBe("no-store");
      const body = response.json();
      expect(body).toEqual({
        access_token: expect.stringMatching(jwt ? JWT : OPAQUE),
        token_type: "bearer",
        expires_in: 3600,
      });
    });

    it("answers a wrong password and an unknown user alike", async () => {
      const server = await app();
      const wrong = await server.inject({
        method: "POST",
        url: "/token",
        payload: { username: "john", password: "nope" },
      });
      const unknown = await server.inject({
        method: "POST",
        url: "/token",
        payload: { username: "mallory", password: "nope" },
      });
      for (const response of [wrong, unknown]) {
        expect(response.statusCode).toBe(401);
        expect(response.headers["www-authenticate"]).toBe(REALM);
      }
      expect(wrong.body).toBe(unknown.body);
    });

    it("shows items by role and lets only admins add them", async () => {
      const server = await app();
      const [admin, user] = [await login(server, "john"), await login(server, "jane")];
      const adminItems = (await get(server, "/items/", admin)).json().items;
      const userItems = (await get(server, "/items/", user)).json().items;
      expect(adminItems.length).toBeGreaterThan(userItems.length);
      expect(userItems.every((item: { visibility: string }) => item.visibility === "public")).toBe(
        true,
      );

      const created = await server.inject({
        method: "POST",
        url: "/items/",
        headers: bearer(admin),
        payload: { name: "Desk" },
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({
        name: "Desk",
        created_by: "john",
        visibility: "public",
      });

      const refused = await server.inject({
        method: "POST",
        url: "/items/",
        headers: bearer(user),
        payload: { name: "Desk" },
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({
        code: "ACB_INSUFFICIENT_SCOPE",
        error: "insufficient_scope",
      });
      expect(refused.headers["www-authenticate"]).toMatch(
        /^Bearer realm="auth-cache-bench", error="insufficient_scope", error_description="[^"]+", scope="admin"$/,
      );
    });

    it("shows the current user without any password or hash", async () => {
      const server = await app();
      const response = await get(server, "/user/", await login(server, "alice"));
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ username: "alice", role: "user" });
      expect(response.body).not.toMatch(/password|scrypt|hash/i);
    });

    it("keeps the original's trailing-slash paths and accepts them without the slash", async () => {
      const server = await app();
      const token = await login(server, "jane");
      expect((await get(server, "/items", token)).statusCode).toBe(200);
      expect((await get(server, "/user", token)).statusCode).toBe(200);
    });

    it.each([
      ["no header", undefined, 401, REALM],
      ["another scheme", "Basic am9objpwYXNzd29yZDEyMw==", 401, REALM],
      ["an empty bearer", "Bearer ", 400, 'error="invalid_request"'],
      ["a token with spaces", "Bearer abc def", 400, 'error="invalid_request"'],
      ["characters outside b64token", "Bearer abc$def", 400, 'error="invalid_request"'],
      ["a token of the wrong length", "Bearer abc", 401, 'error="invalid_token"'],
      ["an unknown token", `Bearer ${"A".repeat(43)}`, 401, 'error="invalid_token"'],
    ])("rejects %s per RFC 6750", async (_name, authorization, status, challenge) => {
      const server = await app();
      const response = await server.inject({
        method: "GET",
        url: "/items/",
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers["www-authenticate"]).toContain(challenge);
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="auth-cache-bench"/);
      if (challenge === REALM) expect(response.headers["www-authenticate"]).toBe(REALM);
    });

    it("revokes a token at logout, also after it was cached (plain JWTs: never)", async () => {
      const server = await app();
      const token = await login(server, "jane");
      const other = await login(server, "jane");
      for (let i = 0; i < 3; i++)
        expect((await get(server, "/items/", token)).statusCode).toBe(200);
      const logout = await server.inject({
        method: "POST",
        url: "/logout",
        headers: bearer(token),
      });
      expect(logout.statusCode).toBe(204);
      const after = await get(server, "/items/", token);
      if (!revokes) {
        expect(after.statusCode).toBe(200);
        return;
      }
      expect(after.statusCode).toBe(401);
      expect(after.headers["www-authenticate"]).toContain('error="invalid_token"');
      expect(
        (await server.inject({ method: "POST", url: "/logout", headers: bearer(token) }))
          .statusCode,
      ).toBe(401);
      expect((await get(server, "/items/", other)).statusCode).toBe(revokesAllOfUser ? 401 : 200);
      expect((await get(server, "/items/", await login(server, "jane"))).statusCode).toBe(200);
    });

    it("revokes every token of a user when the password changes (plain JWTs: none)", async () => {
      const server = await app();
      const tokens = [await login(server, "alice"), await login(server, "alice")];
      const bystander = await login(server, "jane");
      for (const token of tokens) expect((await get(server, "/user/", token)).statusCode).toBe(200);

      const changed = await server.inject({
        method: "POST",
        url: "/user/password",
        headers: bearer(tokens[0] as string),
        payload: { old_password: USERS.alice.password, new_password: "a-new-secret" },
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.headers["cache-control"]).toBe("no-store");
      const fresh = changed.json().access_token as string;

      for (const token of tokens) {
        expect((await get(server, "/user/", token)).statusCode).toBe(revokes ? 401 : 200);
      }
      expect((await get(server, "/user/", fresh)).statusCode).toBe(200);
      expect((await get(server, "/user/", bystander)).statusCode).toBe(200);
      const oldLogin = await server.inject({
        method: "POST",
        url: "/token",
        payload: { username: "alice", password: USERS.alice.password },
      });
      expect(oldLogin.statusCode).toBe(401);
      const newLogin = await server.inject({
        method: "POST",
        url: "/token",
        payload: { username: "alice", password: "a-new-secret" },
      });
      expect(newLogin.statusCode).toBe(200);
    });

    it("refuses a password change with the wrong old password and keeps the tokens", async () => {
      const server = await app();
      const token = await login(server, "jane");
      const response = await server.inject({
        method: "POST",
        url: "/user/password",
        headers: bearer(token),
        payload: { old_password: "not-it", new_password: "a-new-secret" },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe("ACB_WRONG_PASSWORD");
      expect((await get(server, "/user/", token)).statusCode).toBe(200);
    });

    it("rejects an expired token even while it is cached", async () => {
      const server = await env.build({ ...settings, tokenTtl: 30, cacheTtl: 600 }, { clock });
      const token = await login(server, "jane");
      expect((await get(server, "/items/", token)).statusCode).toBe(200);
      expect((await get(server, "/items/", token)).statusCode).toBe(200);
      now += 31_000;
      expect((await get(server, "/items/", token)).statusCode).toBe(401);
    });

    it("serves health and Prometheus metrics that count what happened", async () => {
      const server = await app();
      const token = await login(server, "jane");
      await get(server, "/items/", token);
      await get(server, "/items/", token);
      const health = await get(server, "/health");
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: "ok",
        store: { kind: store, healthy: true },
        cache: { mode: cache, healthy: true },
      });
      const metrics = (await get(server, "/metrics")).body;
      expect(metrics).toContain(
        'acb_http_requests_total{method="GET",route="/items/",status="200"} 2',
      );
      expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
      expect(metrics).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(metrics).toMatch(/^acb_eventloop_delay_seconds\{quantile="0.99"\} /m);
      const count = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1]);
      const hits = count(/acb_cache_lookups_total\{result="hit"\} (\d+)/);
      const op =
        mode === "jwt-version" ? "version" : mode === "jwt-denylist" ? "denylist" : "session";
      const lookups = count(new RegExp(`acb_store_lookups_total\\{op="${op}"\\} (\\d+)`));
      // Two requests: a cache lets the second one through without the store; a plain JWT asks no one.
      const expected = !revokes ? [0, 0] : cache === "none" && !jwt ? [0, 2] : [1, 1];
      expect([hits, lookups]).toEqual(expected);
    });
  });
});

import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, login, type TestEnv, testEnv } from "./helpers/app.js";

let env: TestEnv;
let app: FastifyInstance;
let admin: string;
let user: string;

beforeAll(async () => {
  env = await testEnv("sqlite", { cache: "memory" });
  app = await env.build();
  [admin, user] = [await login(app, "john"), await login(app, "jane")];
});
afterAll(() => env.cleanup());

const RUNS = { numRuns: 150 };
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 200,
});
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    { username: fc.anything({ maxDepth: 2 }), password: fc.anything({ maxDepth: 2 }) },
    { requiredKeys: [] },
  ),
  fc.record({ username: fc.string({ maxLength: 300 }), password: fc.string({ maxLength: 2000 }) }),
);
const trickyNames = fc.constantFrom(
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "prototype",
  "john ",
  "JOHN",
  "",
);

async function send(
  method: "GET" | "POST",
  url: string,
  options: { headers?: Record<string, string>; payload?: string },
) {
  return app.inject({
    method,
    url,
    headers: { "content-type": "application/json", ...options.headers },
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  });
}

describe("bad input never breaks the server", () => {
  it("any Authorization header gets 400 or 401 with a Bearer challenge", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          headerText,
          headerText.map((t) => `Bearer ${t}`),
          headerText.map((t) => `bearer  ${t}`),
        ),
        async (authorization) => {
          const response = await app.inject({
            method: "GET",
            url: "/items/",
            headers: { authorization },
          });
          expect([400, 401]).toContain(response.statusCode);
          expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="auth-cache-bench"/);
        },
      ),
      RUNS,
    );
  });

  it("any JSON body at /token gets 400 or 401, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const response = await send("POST", "/token", { payload: JSON.stringify(body) });
        expect([400, 401]).toContain(response.statusCode);
        expect(response.json().code).toMatch(/^(ACB_|FST_)/);
      }),
      RUNS,
    );
  });

  it("usernames that are Object.prototype names are just unknown users", async () => {
    await fc.assert(
      fc.asyncProperty(
        trickyNames,
        fc.string({ minLength: 1, maxLength: 20 }),
        async (username, password) => {
          const response = await send("POST", "/token", {
            payload: JSON.stringify({ username, password }),
          });
          expect(response.statusCode).toBe(username === "" ? 400 : 401);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("prototype poisoning, broken JSON, wrong content types and oversize bodies get their 4xx", async () => {
    const cases: [string, Record<string, string>, string, number][] = [
      ["proto", {}, '{"__proto__":{"admin":true},"username":"john","password":"x"}', 400],
      [
        "constructor.prototype",
        {},
        '{"constructor":{"prototype":{"admin":true}},"username":"john","password":"x"}',
        400,
      ],
      ["broken", {}, '{"username": "john", ', 400],
      ["empty", {}, "", 400],
      [
        "form",
        { "content-type": "application/x-www-form-urlencoded" },
        "username=john&password=x",
        415,
      ],
      ["text", { "content-type": "text/plain" }, "john:x", 415],
      ["huge", {}, JSON.stringify({ username: "john", password: "x".repeat(20_000) }), 413],
      ["wrong types", {}, '{"username": 12, "password": true}', 400],
      ["array", {}, "[1,2,3]", 400],
    ];
    for (const [name, headers, payload, status] of cases) {
      const response = await send("POST", "/token", { headers, payload });
      expect(response.statusCode, name).toBe(status);
    }
  });

  it("any body at POST /items/ gets 201 or 400 for an admin, and 403 unread for a user", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
        const asAdmin = await send("POST", "/items/", {
          headers: bearer(admin),
          payload: JSON.stringify(body),
        });
        expect([201, 400]).toContain(asAdmin.statusCode);
        const asUser = await send("POST", "/items/", {
          headers: bearer(user),
          payload: JSON.stringify(body),
        });
        expect(asUser.statusCode).toBe(403);
      }),
      RUNS,
    );
  });

  it("any body at POST /user/password gets 400 or 403 and leaves the token valid", async () => {
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const response = await send("POST", "/user/password", {
          headers: bearer(user),
          payload: JSON.stringify(body),
        });
        expect([400, 403]).toContain(response.statusCode);
      }),
      { numRuns: 60 },
    );
    expect(
      (await app.inject({ method: "GET", url: "/user/", headers: bearer(user) })).statusCode,
    ).toBe(200);
  });

  it("unknown routes get a JSON 404", async () => {
    const response = await app.inject({ method: "GET", url: "/admin/../etc/passwd" });
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe("ACB_NOT_FOUND");
  });
});

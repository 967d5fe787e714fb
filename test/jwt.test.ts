import { createHmac, generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parsePrometheus } from "../bench/harness/server-metrics.js";
import { createJwtCodec, type JwtClaims, type JwtCodecOptions } from "../server/auth/jwt.js";
import {
  generatedKeys,
  JWT_ALGS,
  type JwtAlg,
  type JwtKeys,
  loadJwtKeys,
} from "../server/auth/jwt-keys.js";
import type { CacheMode } from "../server/cache/token-cache.js";
import { modeSettings } from "../server/modes.js";
import { bearer, get, login, services, type TestEnv, testEnv, USERS } from "./helpers/app.js";
import { eventually } from "./helpers/eventually.js";
import { quietServerArgs, run, startServer } from "./helpers/process.js";

const { redisUrl } = services();
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const segments = (token: string) => token.split(".") as [string, string, string];
const claimsOf = (token: string): JwtClaims =>
  JSON.parse(Buffer.from(segments(token)[1], "base64url").toString()) as JwtClaims;
const USER = { id: 7, username: "jane", role: "user", tokenVersion: 3 } as const;
const codecOf = (keys: JwtKeys, more: Partial<JwtCodecOptions> = {}) =>
  createJwtCodec({
    keys,
    ttlSeconds: 60,
    versioned: false,
    clock: Date.now,
    verifyCacheSeconds: 0,
    ...more,
  });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "acb-jwt-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each(JWT_ALGS)("the %s codec", (alg) => {
  let now = 1_780_000_000_000;
  const codec = (verifyCacheSeconds = 0) =>
    codecOf(generatedKeys(alg), { versioned: true, clock: () => now, verifyCacheSeconds });

  it("signs what it verifies, naming its algorithm, with the claims the server relies on", () => {
    const jwt = codec();
    const { token, claims } = jwt.sign(USER);
    expect(JSON.parse(Buffer.from(segments(token)[0], "base64url").toString())).toMatchObject({
      alg,
      typ: "JWT",
    });
    expect(claims).toEqual({
      sub: "7",
      preferred_username: "jane",
      role: "user",
      iat: now / 1000,
      exp: now / 1000 + 60,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ver: 3,
    });
    expect(jwt.verify(token)).toEqual(claims);
    expect(jwt.sign(USER).claims.jti).not.toBe(claims.jti);
  });

  it("refuses a tampered, expired or foreign token, and one naming another algorithm", () => {
    const jwt = codec();
    const { token } = jwt.sign(USER);
    const [header, payload, signature] = segments(token);
    const admin = b64({ ...claimsOf(token), role: "admin" });
    const other = codec().sign(USER).token;
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${payload}.`;
    const refused = [
      `${header}.${admin}.${signature}`,
      // The first character: the last may carry only padding bits.
      `${header}.${payload}.${signature.startsWith("A") ? "B" : "A"}${signature.slice(1)}`,
      other,
      unsigned,
      "not.a.jwt",
    ];
    for (const bad of refused) expect(() => jwt.verify(bad), bad).toThrow(/invalid/i);
    now += 60_000;
    expect(() => jwt.verify(token)).toThrow(/invalid/i);
    now -= 60_000;
  });

  it("keeps checking expiry against the server's clock with the library's verify cache on", () => {
    const jwt = codec(600);
    const { token } = jwt.sign(USER);
    expect(jwt.verify(token).sub).toBe("7");
    now += 61_000;
    expect(() => jwt.verify(token)).toThrow(/invalid/i);
    now -= 61_000;
  });
});

describe("HS256 signed with the public key as its secret (algorithm confusion)", () => {
  it.each(["ES256", "EdDSA"] as const)("is refused by an %s server", (alg) => {
    const keys = generatedKeys(alg);
    const jwt = codecOf(keys);
    const claims = jwt.sign(USER).claims;
    const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
    const secret = keys.verifying.export({ type: "spki", format: "pem" });
    const forged = `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
    expect(() => jwt.verify(forged)).toThrow(/invalid/i);
  });
});

describe("the key file", () => {
  const pem = (type: "ec" | "ed25519") =>
    (type === "ec"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("ed25519")
    ).privateKey.export({ type: "pkcs8", format: "pem" }) as string;

  it.each<[JwtAlg, string, () => string]>([
    ["ES256", "ec.pem", () => pem("ec")],
    ["EdDSA", "ed.pem", () => pem("ed25519")],
    [
      "EdDSA",
      "ed.jwk",
      () => JSON.stringify(generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" })),
    ],
    [
      "HS256",
      "secret.jwk",
      () => JSON.stringify({ kty: "oct", k: Buffer.alloc(32, 7).toString("base64url") }),
    ],
  ])("loads %s from %s", async (alg, name, content) => {
    const file = join(dir, name);
    await writeFile(file, content());
    const keys = await loadJwtKeys(alg, file, {});
    expect(keys.origin).toBe("file");
    const jwt = codecOf(keys);
    expect(jwt.verify(jwt.sign(USER).token).sub).toBe("7");
  });

  it("is refused in one line, exit 2, when missing, unreadable or of the wrong type, never quoting it", async () => {
    const folder = join(dir, "a-folder");
    await mkdir(folder, { recursive: true });
    const ec = join(dir, "wrong-type.pem");
    await writeFile(ec, pem("ec"));
    const junk = join(dir, "junk.txt");
    await writeFile(
      junk,
      "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----\n",
    );
    const short = join(dir, "short.jwk");
    await writeFile(short, JSON.stringify({ kty: "oct", k: "c2hvcnQ" }));
    const cases: [string[], RegExp][] = [
      [["--jwt-key", join(dir, "nope.pem")], /--jwt-key \S+nope\.pem: no such file$/],
      [["--jwt-key", folder], /--jwt-key \S+a-folder: a folder$/],
      [
        ["--jwt-key", ec, "--jwt-alg", "EdDSA"],
        /EdDSA needs an Ed25519 private key \(PEM or JWK\), not a private ec prime256v1 key$/,
      ],
      [["--jwt-key", junk], /junk\.txt: not a PEM private key or a JWK$/],
      [["--jwt-key", short, "--jwt-alg", "HS256"], /HS256 needs a secret of at least 32 bytes/],
    ];
    for (const [args, message] of cases) {
      const result = await run("dist/server/main.js", [
        ...quietServerArgs(join(dir, "auth.sqlite")),
        "--tokens",
        "jwt",
        ...args,
      ]);
      expect(result.code, args.join(" ")).toBe(2);
      const lines = result.stderr.trim().split("\n");
      expect(lines, args.join(" ")).toHaveLength(1);
      expect(lines[0]).toMatch(/^auth-cache-bench server: ACB_CONFIG_INVALID: /);
      expect(lines[0]).toMatch(message);
      expect(result.stderr).not.toContain("c2VjcmV0");
    }
  });

  it("refuses JWT flags without --tokens jwt, and a cache that a JWT mode would never ask", async () => {
    for (const [args, message] of [
      [["--jwt-revocation", "denylist"], /need --tokens jwt$/],
      [["--tokens", "jwt", "--cache", "redis"], /with --jwt-revocation none use --cache none$/],
    ] as const) {
      const result = await run("dist/server/main.js", [
        "--port",
        "0",
        "--log-level",
        "silent",
        ...args,
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toMatch(message);
    }
  });
});

describe("a JWT server over HTTP", () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await testEnv("sqlite");
  });
  afterEach(() => env.cleanup());

  it("answers a bad token with 401 invalid_token and an RFC 6750 challenge", async () => {
    const server = await env.build(modeSettings("jwt-es256"));
    const foreign = await env.build(modeSettings("jwt-es256"));
    const token = await login(server, "jane");
    const [header, payload, signature] = segments(token);
    for (const bad of [
      `${header}.${b64({ ...claimsOf(token), role: "admin" })}.${signature}`,
      `${b64({ alg: "none", typ: "JWT" })}.${payload}.`,
      await login(foreign, "jane"),
    ]) {
      const response = await get(server, "/items/", bad);
      expect(response.statusCode).toBe(401);
      expect(response.headers["www-authenticate"]).toMatch(
        /^Bearer realm="auth-cache-bench", error="invalid_token"/,
      );
    }
    expect((await get(server, "/user/", token)).json()).toEqual({ username: "jane", role: "user" });
  });

  it("stamps the token kind and the JWT settings in the metrics, never the key", async () => {
    const server = await env.build(modeSettings("jwt-version", { jwtAlg: "EdDSA" }));
    const metrics = (await get(server, "/metrics")).body;
    expect(metrics).toMatch(/tokens="jwt"/);
    expect(metrics).toMatch(/jwt_alg="EdDSA"/);
    expect(metrics).toMatch(/jwt_revocation="version"/);
  });
});

/** Two instances over one store and one Redis, with one key between them, as a deployment has. */
describe.skipIf(!redisUrl)("revocation across instances", () => {
  let env: TestEnv;
  let key: string;
  beforeEach(async () => {
    env = await testEnv("sqlite");
    key = join(dir, `shared-${Date.now()}.pem`);
    await writeFile(
      key,
      generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
        type: "pkcs8",
        format: "pem",
      }) as string,
    );
  });
  afterEach(() => env.cleanup());

  const pair = async (settings: object): Promise<[FastifyInstance, FastifyInstance]> => [
    await env.build({ ...settings, jwtKey: key }),
    await env.build({ ...settings, jwtKey: key }),
  ];
  const logout = (server: FastifyInstance, token: string) =>
    server.inject({ method: "POST", url: "/logout", headers: bearer(token) });
  const changePassword = (server: FastifyInstance, token: string) =>
    server.inject({
      method: "POST",
      url: "/user/password",
      headers: bearer(token),
      payload: { old_password: USERS.alice.password, new_password: "a-new-secret" },
    });

  it("plain jwt: a logout changes nothing anywhere (the token lives until it expires)", async () => {
    const [a, b] = await pair(modeSettings("jwt-es256"));
    const token = await login(a, "jane");
    expect((await logout(a, token)).statusCode).toBe(204);
    for (const server of [a, b]) expect((await get(server, "/user/", token)).statusCode).toBe(200);
  });

  it("jwt-denylist: a logout ends that token on every instance, and only that one", async () => {
    const [a, b] = await pair(modeSettings("jwt-denylist"));
    const [token, other] = [await login(a, "jane"), await login(a, "jane")];
    for (const server of [a, b]) expect((await get(server, "/user/", token)).statusCode).toBe(200);
    expect((await logout(a, token)).statusCode).toBe(204);
    expect((await get(a, "/user/", token)).statusCode).toBe(401);
    // b held the token as not revoked: the broadcast, not its local TTL, must end it.
    await eventually(async () => (await get(b, "/user/", token)).statusCode === 401, 1000);
    for (const server of [a, b]) expect((await get(server, "/user/", other)).statusCode).toBe(200);
  });

  it("jwt-denylist: /metrics counts the answers its near tier holds as the cache's entries", async () => {
    const [a] = await pair(modeSettings("jwt-denylist"));
    const entries = async () =>
      parsePrometheus((await a.inject({ url: "/metrics" })).body).get("acb_cache_local_entries");
    expect(await entries()).toBe(0);
    for (const user of ["jane", "alice"] as const) {
      expect((await get(a, "/user/", await login(a, user))).statusCode).toBe(200);
    }
    expect(await entries()).toBe(2);
  });

  it("jwt-denylist: a password change ends every older token of the user on every instance", async () => {
    const [a, b] = await pair(modeSettings("jwt-denylist"));
    const tokens = [await login(a, "alice"), await login(b, "alice")];
    const bystander = await login(a, "jane");
    for (const token of tokens) expect((await get(b, "/user/", token)).statusCode).toBe(200);
    const changed = await changePassword(a, tokens[0] as string);
    expect(changed.statusCode).toBe(200);
    const fresh = changed.json().access_token as string;
    for (const server of [a, b]) {
      await eventually(async () => {
        const codes = await Promise.all(
          tokens.map(async (t) => (await get(server, "/user/", t)).statusCode),
        );
        return codes.every((code) => code === 401);
      }, 1000);
      expect((await get(server, "/user/", fresh)).statusCode).toBe(200);
      expect((await get(server, "/user/", bystander)).statusCode).toBe(200);
    }
    // A login after the change is not caught by the user's not-before.
    const later = await a.inject({
      method: "POST",
      url: "/token",
      payload: { username: "alice", password: "a-new-secret" },
    });
    expect((await get(b, "/user/", later.json().access_token)).statusCode).toBe(200);
  });

  it.each<CacheMode>(["redis", "tiered", "none"])(
    "jwt-version over a %s cache: a logout ends every token of the user on every instance",
    async (cache) => {
      const [a, b] = await pair(modeSettings("jwt-version", { versionCache: cache }));
      const [token, other] = [await login(a, "jane"), await login(b, "jane")];
      const bystander = await login(a, "alice");
      for (const t of [token, other]) expect((await get(b, "/user/", t)).statusCode).toBe(200);
      expect((await logout(a, token)).statusCode).toBe(204);
      for (const server of [a, b]) {
        await eventually(async () => (await get(server, "/user/", other)).statusCode === 401, 1000);
        expect((await get(server, "/user/", token)).statusCode).toBe(401);
        expect((await get(server, "/user/", bystander)).statusCode).toBe(200);
      }
      expect((await get(b, "/user/", await login(a, "jane"))).statusCode).toBe(200);
    },
  );

  it("jwt-version over a memory cache: another instance stops accepting at its cache TTL, its promise", async () => {
    const settings = {
      ...modeSettings("jwt-version", { versionCache: "memory" }),
      jwtKey: key,
      cacheTtl: 1,
    };
    const [a, b] = [await env.build(settings), await env.build(settings)];
    const token = await login(a, "jane");
    expect((await get(b, "/user/", token)).statusCode).toBe(200);
    expect((await logout(a, token)).statusCode).toBe(204);
    expect((await get(a, "/user/", token)).statusCode).toBe(401);
    expect((await get(b, "/user/", token)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await get(b, "/user/", token)).statusCode).toBe(401);
  });
});

describe("a cluster of JWT instances", () => {
  it("shares one generated key: every instance accepts every token", async () => {
    const { child, ready } = await startServer([
      ...quietServerArgs(join(dir, "cluster.sqlite")),
      "--instances",
      "2",
      "--tokens",
      "jwt",
    ]);
    try {
      expect(ready).toMatchObject({
        tokens: "jwt",
        jwt: { alg: "ES256", revocation: "none", key: "generated", verifyCacheSeconds: 0 },
      });
      const url = ready.url as string;
      const response = await fetch(`${url}/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "jane", password: "password456" }),
      });
      const { access_token } = (await response.json()) as { access_token: string };
      const codes = new Set<number>();
      for (let i = 0; i < 20; i++) {
        codes.add((await fetch(`${url}/user/`, { headers: bearer(access_token) })).status);
      }
      expect([...codes]).toEqual([200]);
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });
});

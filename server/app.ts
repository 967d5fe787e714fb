import Fastify, { type FastifyInstance } from "fastify";
import { configInvalid } from "../lib/errors.js";
import { createHashGate } from "./auth/hash-gate.js";
import { fixedPrincipal } from "./auth/hooks.js";
import { withInjectedCpu } from "./auth/inject-cpu.js";
import type { LoginGuard } from "./auth/login-guard.js";
import { describeLoginLimits, openLoginGuard } from "./auth/open-login-guard.js";
import { formatCost } from "./auth/password.js";
import { createSessions } from "./auth/sessions.js";
import { checkTokenFlags, openTokenPath, type TokenPath } from "./auth/token-path.js";
import { createCache } from "./cache/create-cache.js";
import type { TokenCache } from "./cache/token-cache.js";
import type { Config } from "./config.js";
import { loadCredentials } from "./credentials.js";
import { installErrorHandling } from "./error-handler.js";
import { createCatalog } from "./items.js";
import { createMetrics } from "./metrics.js";
import type { RouteDeps } from "./routes/deps.js";
import { healthRoutes } from "./routes/health.js";
import { itemRoutes } from "./routes/items.js";
import { logoutRoutes } from "./routes/logout.js";
import { metricsRoutes } from "./routes/metrics.js";
import { tokenRoutes } from "./routes/token.js";
import { userRoutes } from "./routes/user.js";
import { openStore } from "./store/open-store.js";
import type { Principal, SeedUser, Store } from "./store/store.js";

export interface AppOptions {
  /** Epoch milliseconds; tests move it to expire tokens without waiting. */
  clock?: () => number;
}

const BODY_LIMIT_BYTES = 16 * 1024;
const PURGE_INTERVAL_MS = 60_000;

/** The user every request runs as with --auth off: the named one, else the first non-admin. */
function ceilingUser(config: Config, users: readonly SeedUser[]): SeedUser {
  const user = config.authOffUser
    ? users.find((candidate) => candidate.username === config.authOffUser)
    : (users.find((candidate) => candidate.role !== "admin") ?? users[0]);
  if (!user)
    throw configInvalid(
      `--auth-off-user ${JSON.stringify(config.authOffUser)} is not in the credentials`,
    );
  return user;
}

async function ceilingPrincipal(store: Store, user: SeedUser): Promise<Principal> {
  const record = await store.findUser(user.username);
  if (!record) throw configInvalid(`user ${user.username} was not seeded`);
  return {
    userId: record.id,
    username: record.username,
    role: record.role,
    expiresAt: Number.POSITIVE_INFINITY,
  };
}

/** Builds the server for one configuration. It never listens: main.ts does, tests inject. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const clock = options.clock ?? Date.now;
  const users = await loadCredentials(config.credentials);
  if (users.length === 0) throw configInvalid(`${config.credentials.join(", ")}: no users`);
  if (config.auth === "off" && config.injectCpuUs > 0) {
    throw configInvalid("--inject-cpu-us costs authenticated requests: it needs --auth on");
  }
  checkTokenFlags(config);
  const authOffUser = config.auth === "off" ? ceilingUser(config, users) : undefined;
  const metrics = createMetrics({
    cache: config.cache,
    store: config.store,
    auth: config.auth,
    origin_latency_ms: String(config.originLatencyMs),
    cache_ttl_seconds: String(config.cacheTtl),
    password_cost: formatCost(config.passwordCost),
    hash_concurrency: String(config.hashConcurrency),
    login_limits: describeLoginLimits(config),
    inject_cpu_us: String(config.injectCpuUs),
    tiered_broadcast: config.tieredBroadcast,
    coalesce: config.coalesce,
    cache_ttl_jitter: String(config.cacheTtlJitter),
    tokens: config.tokens,
    jwt_alg: config.tokens === "jwt" ? config.jwtAlg : "",
    jwt_revocation: config.tokens === "jwt" ? config.jwtRevocation : "",
    jwt_verify_cache_seconds: String(config.jwtVerifyCache),
  });

  let store: Store | undefined;
  let cache: TokenCache | undefined;
  let limits: { guard: LoginGuard; close: () => void } | undefined;
  let tokenPath: TokenPath | undefined;
  try {
    store = await openStore(config, metrics.addedDelay);
    await store.seedUsers(users);
    await store.purgeExpired(clock());
    cache = await createCache(config, metrics);
    limits = await openLoginGuard(config, metrics);
    tokenPath = await openTokenPath(config, { store, cache, metrics, clock });
    const { localEntries } = tokenPath;
    const held = cache;
    metrics.watchCache(() => held.localEntries() + localEntries());
    const authenticate = authOffUser
      ? fixedPrincipal(await ceilingPrincipal(store, authOffUser))
      : withInjectedCpu(tokenPath.authenticate, config.injectCpuUs);
    const app = assemble(config, clock, {
      config,
      metrics,
      store,
      cache,
      authenticate,
      catalog: createCatalog(),
      sessions: createSessions({
        store,
        tokens: tokenPath.tokens,
        metrics,
        passwordCost: config.passwordCost,
        hashing: createHashGate(
          { concurrency: config.hashConcurrency, queue: config.hashQueue },
          metrics,
        ),
        guard: limits.guard,
      }),
    });
    // What the login guard and the token path opened (Redis connections) close with the app.
    const closeLimits = limits.close;
    const closeTokens = tokenPath.close;
    app.addHook("onClose", async () => {
      closeLimits();
      await closeTokens();
    });
    return app;
  } catch (error) {
    await tokenPath?.close();
    limits?.close();
    await cache?.close();
    await store?.close();
    metrics.close();
    throw error;
  }
}

function assemble(config: Config, clock: () => number, deps: RouteDeps): FastifyInstance {
  const app = Fastify({
    logger:
      config.logLevel === "silent" ? false : { level: config.logLevel, stream: process.stderr },
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    // Type mistakes in a body are the client's, not something to guess around.
    ajv: { customOptions: { coerceTypes: false } },
  });
  // Bodies are JSON only: anything else gets 415 instead of reaching the schema as a string.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("principal", null);
  app.decorateRequest("tokenHash", null);
  app.decorateRequest("jwt", null);
  installErrorHandling(app, deps.metrics);
  // Callback style: an async hook would cost every measured request a promise.
  app.addHook("onResponse", (request, reply, done) => {
    deps.metrics.request(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode);
    done();
  });

  for (const routes of [
    tokenRoutes,
    itemRoutes,
    userRoutes,
    logoutRoutes,
    healthRoutes,
    metricsRoutes,
  ]) {
    routes(app, deps);
  }

  const purge = setInterval(() => {
    deps.store
      .purgeExpired(clock())
      .catch((error: unknown) => app.log.warn({ err: error }, "purge failed"));
  }, PURGE_INTERVAL_MS).unref();
  app.addHook("onClose", async () => {
    clearInterval(purge);
    await deps.cache.close();
    await deps.store.close();
    deps.metrics.close();
  });
  return app;
}

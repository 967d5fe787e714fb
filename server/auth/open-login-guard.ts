import { connectRedis, redisOptionsOf } from "../cache/redis-client.js";
import type { Config } from "../config.js";
import {
  createLoginGuard,
  type LoginGuard,
  type LoginGuardEvents,
  NO_GUARD,
} from "./login-guard.js";

/** Where the login counts of this configuration live; null when the limits are off. */
export function loginLimitsStore(config: Config): "memory" | "redis" | null {
  if (config.loginLimits === "off") return null;
  if (config.loginLimitsStore !== "auto") return config.loginLimitsStore;
  return config.cache === "redis" || config.cache === "tiered" ? "redis" : "memory";
}

/** How the ready line and reports state the limits. */
export function describeLoginLimits(config: Config): string {
  const store = loginLimitsStore(config);
  if (store === null) return "off";
  return (
    `${config.loginAddressLimit} per address per ${config.loginAddressWindow} s; ` +
    `per account after ${config.loginFreeFailures} failures 1 s doubling to ${config.loginBackoffMax} s; ` +
    `held ${config.loginHoldMs} ms; in ${store}`
  );
}

/** The guard of this configuration, with the Redis connection it opened, if any, to close. */
export async function openLoginGuard(
  config: Config,
  events: LoginGuardEvents,
): Promise<{ guard: LoginGuard; close: () => void }> {
  const store = loginLimitsStore(config);
  if (store === null) return { guard: NO_GUARD, close: () => {} };
  const redis = store === "redis" ? await connectRedis(redisOptionsOf(config)) : undefined;
  const guard = createLoginGuard(
    {
      addressLimit: config.loginAddressLimit,
      addressWindowSeconds: config.loginAddressWindow,
      freeFailures: config.loginFreeFailures,
      backoffMaxSeconds: config.loginBackoffMax,
      holdMs: config.loginHoldMs,
    },
    { ...(redis ? { redis } : {}), keyPrefix: config.redisKeyPrefix },
    events,
  );
  return { guard, close: () => redis?.disconnect() };
}

import { setTimeout as sleep } from "node:timers/promises";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { RedisClient } from "../cache/redis-client.js";
import { loginThrottled } from "../errors.js";

export interface LoginLimits {
  /** Login attempts a client address may make per window, whatever their outcome. */
  addressLimit: number;
  addressWindowSeconds: number;
  /** Failed logins of one account before it has to wait. */
  freeFailures: number;
  /** The longest wait; each further failure doubles it from one second up to this. */
  backoffMaxSeconds: number;
  /** How long a refused attempt is held before its 429 is sent. */
  holdMs: number;
}

export interface LoginGuardEvents {
  loginThrottled(by: "address" | "account"): void;
}

/**
 * OWASP's login throttling: per client address, and per account an exponential back-off after
 * failures that a success resets, rather than a lockout anyone could impose on anyone. Checked
 * before any password is hashed, so a refused attempt costs no scrypt.
 */
export interface LoginGuard {
  /** Throws ACB_LOGIN_THROTTLED (429, Retry-After) when the address or the account must wait. */
  admit(address: string, username: string): Promise<void>;
  failed(username: string): Promise<void>;
  succeeded(username: string): Promise<void>;
}

export const NO_GUARD: LoginGuard = {
  admit: async () => {},
  failed: async () => {},
  succeeded: async () => {},
};

const FAILURES_UNBOUNDED = 1_000_000;

/** A limiter in Redis when instances share it, falling back to memory while Redis fails. */
function limiter(
  options: { keyPrefix: string; points: number; duration: number },
  redis: RedisClient | undefined,
): RateLimiterAbstract {
  const memory = new RateLimiterMemory(options);
  return redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
    : memory;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLoginGuard(
  limits: LoginLimits,
  store: { redis?: RedisClient; keyPrefix: string },
  events: LoginGuardEvents,
): LoginGuard {
  const addresses = limiter(
    {
      keyPrefix: `${store.keyPrefix}login:address`,
      points: limits.addressLimit,
      duration: limits.addressWindowSeconds,
    },
    store.redis,
  );
  // Failures are remembered for as long as the longest back-off, so a slow guesser keeps waiting.
  const failures = limiter(
    {
      keyPrefix: `${store.keyPrefix}login:failures`,
      points: FAILURES_UNBOUNDED,
      duration: limits.backoffMaxSeconds,
    },
    store.redis,
  );
  const waits = limiter(
    { keyPrefix: `${store.keyPrefix}login:wait`, points: 1, duration: 1 },
    store.redis,
  );

  const refuse = async (by: "address" | "account", msBeforeNext: number): Promise<never> => {
    events.loginThrottled(by);
    // A client that retries in a loop gets its answers this much later: refusing costs a timer,
    // not the CPU of answering as fast as it can ask.
    await sleep(Math.min(limits.holdMs, msBeforeNext));
    throw loginThrottled(by, seconds(msBeforeNext));
  };

  return {
    admit: async (address, username) => {
      try {
        await addresses.consume(address);
      } catch (refused) {
        if (refused instanceof RateLimiterRes) return refuse("address", refused.msBeforeNext);
        throw refused;
      }
      const wait = await waits.get(username);
      if (wait && wait.consumedPoints > 1 && wait.msBeforeNext > 0) {
        return refuse("account", wait.msBeforeNext);
      }
    },
    failed: async (username) => {
      const { consumedPoints } = await failures.consume(username);
      const beyond = consumedPoints - limits.freeFailures;
      if (beyond > 0) {
        await waits.block(username, Math.min(limits.backoffMaxSeconds, 2 ** (beyond - 1)));
      }
    },
    succeeded: async (username) => {
      await Promise.all([failures.delete(username), waits.delete(username)]);
    },
  };
}

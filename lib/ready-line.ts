/**
 * The one line a server prints on stdout when it listens, as JSON: the harness waits for it
 * instead of sleeping, and learns from it where the server is and how it runs.
 */
export interface ReadyLine {
  event: "ready";
  url: string;
  port: number;
  pid: number;
  instances: number;
  pids: number[];
  cache: string;
  store: string;
  auth: string;
  /** Present only with authentication off. */
  warning?: string;
  originLatencyMs: number;
  cacheTtl: number;
  tokenTtl: number;
  passwordCost: string;
  /** Password hashes computed at once at most, and logins that may wait for one. */
  hashConcurrency: number;
  hashQueue: number;
  /** The login throttling in force, in words, or "off". */
  loginLimits: string;
  /** Cache modes: whether concurrent misses share a store lookup, and the TTL's random shortening. */
  coalesce: string;
  cacheTtlJitter: number;
  /** CPU µs spent on purpose on every authenticated request (--inject-cpu-us); 0 normally. */
  injectCpuUs: number;
  /** What /token issues; absent from servers older than JWTs, which issue opaque tokens. */
  tokens?: string;
  /** With JWTs: how they are signed and revoked, and where the key came from (never the key). */
  jwt?: { alg: string; revocation: string; verifyCacheSeconds: number; key: "file" | "generated" };
}

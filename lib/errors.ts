/**
 * The coded error every command and the server throw, and the codes a user can hit from a command
 * line: the harness's, and the start-up errors the server shares with it. The server's own request
 * errors are in server/errors.ts. HTTP errors carry their status and, for bearer-token failures,
 * the RFC 6750 error code that goes into the WWW-Authenticate challenge.
 */

export type BearerErrorCode = "invalid_request" | "invalid_token" | "insufficient_scope";

export interface AcbErrorOptions {
  statusCode?: number;
  bearerError?: BearerErrorCode;
  scope?: string;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AcbError extends Error {
  readonly code: string;
  readonly statusCode: number;
  readonly bearerError: BearerErrorCode | undefined;
  readonly scope: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, message: string, options: AcbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AcbError";
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.bearerError = options.bearerError;
    this.scope = options.scope;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAcbError = (value: unknown): value is AcbError => value instanceof AcbError;

// Start-up and command-line errors: reported as one line, process exits non-zero.
export const configInvalid = (message: string) => new AcbError("ACB_CONFIG_INVALID", message);
export const redisUnreachable = (url: string, cause: unknown) =>
  new AcbError(
    "ACB_REDIS_UNREACHABLE",
    `cannot reach Redis at ${url} (${describeCause(cause)}); start one with ` +
      "`docker compose up -d redis` or `redis-server --port 6379`, or pass --redis-url",
    { cause },
  );
export const postgresUnreachable = (url: string, cause: unknown) =>
  new AcbError(
    "ACB_POSTGRES_UNREACHABLE",
    `cannot reach PostgreSQL at ${redactUrl(url)} (${describeCause(cause)}); start one with ` +
      "`docker compose up -d postgres`, or pass --database-url",
    { cause },
  );
/** Neither the configured PostgreSQL nor a private one could be had; the reason says which and why. */
export const postgresUnavailable = (reason: string) =>
  new AcbError("ACB_POSTGRES_UNREACHABLE", reason);
/** A server process the harness (or the cluster primary) started stopped or never became ready. */
export const serverFailed = (message: string) => new AcbError("ACB_SERVER_FAILED", message);
/** A benchmark request got an answer that no mode should ever give (neither 2xx nor 401). */
export const probeUnexpected = (message: string) => new AcbError("ACB_PROBE_UNEXPECTED", message);
export const usageError = (message: string) => new AcbError("ACB_USAGE", message);
export const resultsInvalid = (file: string, reason: string) =>
  new AcbError("ACB_RESULTS_INVALID", `${file}: ${reason}`);
export const compareInput = (message: string) => new AcbError("ACB_COMPARE_INPUT", message);
export const compareSetupMismatch = (differences: readonly string[]) =>
  new AcbError(
    "ACB_COMPARE_SETUP_MISMATCH",
    `the two results ran on a different machine or configuration: ${differences.join("; ")}; ` +
      "pass --allow-different-setup to compare them anyway",
  );

/** A version of an A/B run cannot be had or started: not a commit or folder, no build, no ready line. */
export const abVersionUnusable = (message: string) => new AcbError("ACB_AB_VERSION", message);
/** Ctrl-C before anything was measured: nothing to keep, nothing left behind. */
export const interrupted = (message: string) => new AcbError("ACB_INTERRUPTED", message);

export function describeCause(cause: unknown): string {
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return describeCause(cause.errors[0]);
  }
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** Hides a password in a connection URL before it is printed. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}

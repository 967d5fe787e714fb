import { AcbError } from "../lib/errors.js";

/** The server's own errors, with their codes; command-line and start-up codes are in lib/errors.ts. */

export const credentialsInvalid = (file: string, reason: string) =>
  new AcbError("ACB_CREDENTIALS_INVALID", `${file}: ${reason}`);
// Request errors: each maps to one HTTP status.
export const tokenMissing = () =>
  new AcbError("ACB_TOKEN_MISSING", "A bearer token is required", { statusCode: 401 });
export const tokenMalformed = (reason: string) =>
  new AcbError("ACB_TOKEN_MALFORMED", reason, {
    statusCode: 400,
    bearerError: "invalid_request",
  });
export const tokenInvalid = () =>
  new AcbError("ACB_TOKEN_INVALID", "The access token is invalid, expired or revoked", {
    statusCode: 401,
    bearerError: "invalid_token",
  });
export const insufficientScope = (scope: string) =>
  new AcbError("ACB_INSUFFICIENT_SCOPE", `This action needs the ${scope} role`, {
    statusCode: 403,
    bearerError: "insufficient_scope",
    scope,
  });
export const badCredentials = () =>
  new AcbError("ACB_BAD_CREDENTIALS", "Incorrect username or password", { statusCode: 401 });
export const wrongPassword = () =>
  new AcbError("ACB_WRONG_PASSWORD", "The old password is incorrect", { statusCode: 403 });
export const storeUnavailable = (cause: unknown) =>
  new AcbError("ACB_STORE_UNAVAILABLE", "The user store is unavailable; retry shortly", {
    statusCode: 503,
    retryAfterSeconds: 1,
    cause,
  });
export const notFound = (method: string, url: string) =>
  new AcbError("ACB_NOT_FOUND", `Route ${method} ${url} not found`, { statusCode: 404 });
/** Password hashing is at its bound and its queue is full: the server, not the client, is busy. */
export const loginBusy = () =>
  new AcbError("ACB_LOGIN_BUSY", "Too many logins are being checked right now; retry shortly", {
    statusCode: 503,
    retryAfterSeconds: 1,
  });
/** This client address or account must wait before trying again (RFC 6585 section 4). */
export const loginThrottled = (by: "address" | "account", retryAfterSeconds: number) =>
  new AcbError(
    "ACB_LOGIN_THROTTLED",
    by === "address"
      ? "Too many login attempts from this address; retry later"
      : "Too many failed logins for this account; retry later",
    { statusCode: 429, retryAfterSeconds },
  );

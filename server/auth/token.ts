import { hash, randomBytes } from "node:crypto";
import { tokenMalformed, tokenMissing } from "../errors.js";

const TOKEN_BYTES = 32;
/** 32 random bytes in unpadded base64url: always 43 characters of [A-Za-z0-9_-]. */
const OUR_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_HEADER = 4096;

export const newToken = (): string => randomBytes(TOKEN_BYTES).toString("base64url");

/**
 * Sessions and cache keys carry this hash, never the token. The one-shot crypto.hash costs less
 * than half of createHash().update().digest() on every request.
 */
export const hashToken = (token: string): string => hash("sha256", token, "hex");

/** True when a syntactically valid bearer token could be one this server issued. */
export const couldBeOurToken = (token: string): boolean => OUR_TOKEN.test(token);

/**
 * Extracts the bearer token from an Authorization header.
 * No header, or another scheme: missing (401 without an error code, RFC 6750 section 3.1).
 * A Bearer header whose token is not a b64token: malformed (400 invalid_request).
 */
export function bearerToken(header: string | undefined): string {
  if (header === undefined || header === "") throw tokenMissing();
  if (header.length > MAX_HEADER) throw tokenMalformed("The Authorization header is too long");
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") throw tokenMissing();
  const token = space === -1 ? "" : header.slice(space + 1);
  if (!B64TOKEN.test(token)) {
    throw tokenMalformed("The Authorization header must be 'Bearer <token>'");
  }
  return token;
}

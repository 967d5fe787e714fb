import type { FastifyRequest, onRequestHookHandler } from "fastify";
import { insufficientScope, tokenInvalid } from "../errors.js";
import type { Principal, Role } from "../store/store.js";
import type { JwtClaims, JwtCodec } from "./jwt.js";
import type { JwtRevocation } from "./jwt-revocation.js";
import { bearerToken, couldBeOurToken, hashToken } from "./token.js";
import type { Presented } from "./tokens.js";
import type { Verifier } from "./verify.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    /** An opaque token's hash, for logout. */
    tokenHash: string | null;
    /** A JWT's verified claims, for logout. */
    jwt: JwtClaims | null;
  }
}

/** The token the request was authenticated with, for what revokes it. */
export const presentedOf = (request: FastifyRequest): Presented => ({
  tokenHash: request.tokenHash,
  jwt: request.jwt,
});

/** The authenticated principal; routes behind `authenticate` always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw tokenInvalid();
  return request.principal;
}

/** What a request's Authorization header names, checked for syntax before anything is looked up. */
export function bearerTokenHash(header: string | undefined): string {
  const token = bearerToken(header);
  if (!couldBeOurToken(token)) throw tokenInvalid();
  return hashToken(token);
}

/**
 * Checks the bearer token before the body is read: `read` parses (and for a JWT verifies) what the
 * header presents, `check` finds its principal, `keep` leaves the token on the request for logout.
 * Callback style, so that a synchronous answer completes the hook without a promise.
 */
function checkingHook<T>(
  read: (header: string | undefined) => T,
  check: (presented: T) => Principal | Promise<Principal>,
  keep: (request: FastifyRequest, presented: T) => void,
): onRequestHookHandler {
  return (request, _reply, done) => {
    let presented: T;
    let checked: Principal | Promise<Principal>;
    try {
      presented = read(request.headers.authorization);
      checked = check(presented);
    } catch (error) {
      done(error as Error);
      return;
    }
    const accept = (principal: Principal) => {
      request.principal = principal;
      keep(request, presented);
      done();
    };
    if (checked instanceof Promise) checked.then(accept, done);
    else accept(checked);
  };
}

/** Opaque tokens: syntax first, then the cache, then the store. */
export const bearerAuthentication = (verify: Verifier): onRequestHookHandler =>
  checkingHook(bearerTokenHash, verify, (request, tokenHash) => {
    request.tokenHash = tokenHash;
  });

/** JWTs: syntax, then the signature and expiry, then whatever the revocation looks up. */
export const jwtAuthentication = (
  codec: JwtCodec,
  revocation: JwtRevocation,
): onRequestHookHandler =>
  checkingHook(
    (header) => codec.verify(bearerToken(header)),
    revocation.check,
    (request, claims) => {
      request.jwt = claims;
    },
  );

/** The ceiling: no token is read; every request runs as one fixed user, in the same hook style. */
export function fixedPrincipal(principal: Principal): onRequestHookHandler {
  return (request, _reply, done) => {
    request.principal = principal;
    done();
  };
}

export function requireRole(role: Role): onRequestHookHandler {
  return (request, _reply, done) => {
    const ok = request.principal !== null && request.principal.role === role;
    done(ok ? undefined : request.principal === null ? tokenInvalid() : insufficientScope(role));
  };
}

import type { FastifyRequest, onRequestHookHandler } from "fastify";
import { insufficientScope, tokenInvalid } from "../errors.js";
import type { Principal, Role } from "../store/store.js";
import { bearerToken, couldBeOurToken, hashToken } from "./token.js";
import type { Verifier } from "./verify.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    tokenHash: string | null;
  }
}

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
 * Checks the bearer token before the body is read: syntax first, then the cache, then the store.
 * Callback style, so that a synchronous cache hit completes the hook without a promise.
 */
export function bearerAuthentication(verify: Verifier): onRequestHookHandler {
  return (request, _reply, done) => {
    let tokenHash: string;
    let verified: Principal | Promise<Principal>;
    try {
      tokenHash = bearerTokenHash(request.headers.authorization);
      verified = verify(tokenHash);
    } catch (error) {
      done(error as Error);
      return;
    }
    const accept = (principal: Principal) => {
      request.principal = principal;
      request.tokenHash = tokenHash;
      done();
    };
    if (verified instanceof Promise) verified.then(accept, done);
    else accept(verified);
  };
}

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

import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
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

/** Checks the bearer token before the body is read: syntax first, then the cache, then the store. */
export function bearerAuthentication(verify: Verifier): onRequestAsyncHookHandler {
  return async (request) => {
    const tokenHash = bearerTokenHash(request.headers.authorization);
    request.principal = await verify(tokenHash);
    request.tokenHash = tokenHash;
  };
}

/** The ceiling: no token is read; every request runs as one fixed user. */
export function fixedPrincipal(principal: Principal): onRequestAsyncHookHandler {
  return async (request) => {
    request.principal = principal;
  };
}

export function requireRole(role: Role): onRequestAsyncHookHandler {
  return async (request) => {
    if (principalOf(request).role !== role) throw insufficientScope(role);
  };
}

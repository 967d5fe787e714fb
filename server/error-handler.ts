import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { AcbError, isAcbError } from "../lib/errors.js";
import { notFound } from "./errors.js";
import type { Metrics } from "./metrics.js";

export const REALM = "auth-cache-bench";

/** RFC 6750 section 3: the challenge for a 401, or for a bearer error with any status. */
export function bearerChallenge(error: AcbError): string | undefined {
  if (error.statusCode !== 401 && error.bearerError === undefined) return undefined;
  let challenge = `Bearer realm="${REALM}"`;
  if (error.bearerError !== undefined) {
    challenge += `, error="${error.bearerError}", error_description="${error.message}"`;
  }
  if (error.scope !== undefined) challenge += `, scope="${error.scope}"`;
  return challenge;
}

function send(reply: FastifyReply, error: AcbError) {
  const challenge = bearerChallenge(error);
  if (challenge !== undefined) reply.header("www-authenticate", challenge);
  if (error.retryAfterSeconds !== undefined)
    reply.header("retry-after", String(error.retryAfterSeconds));
  reply.code(error.statusCode).send({
    statusCode: error.statusCode,
    code: error.code,
    error: error.bearerError ?? STATUS_CODES[error.statusCode] ?? "Error",
    message: error.message,
  });
}

/** Client mistakes Fastify detects itself (bad JSON, wrong content type, oversize body, schema). */
function fromFastify(error: FastifyError): AcbError {
  const status = error.statusCode ?? 500;
  if (error.validation !== undefined) {
    return new AcbError("ACB_BAD_REQUEST", error.message, { statusCode: 400 });
  }
  if (status >= 400 && status < 500) {
    return new AcbError(error.code ?? "ACB_BAD_REQUEST", error.message, { statusCode: status });
  }
  return new AcbError("ACB_INTERNAL", "Internal server error", { statusCode: 500, cause: error });
}

export function installErrorHandling(app: FastifyInstance, metrics: Metrics): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = isAcbError(error) ? error : fromFastify(error);
    if (known.code === "ACB_STORE_UNAVAILABLE") metrics.storeError();
    if (known.statusCode >= 500) request.log.error({ err: known.cause ?? error }, known.message);
    send(reply, known);
  });
  app.setNotFoundHandler((request, reply) => send(reply, notFound(request.method, request.url)));
}

import type { ReadyLine } from "../lib/ready-line.js";
import { describeLoginLimits } from "./auth/open-login-guard.js";
import { formatCost } from "./auth/password.js";
import type { Config } from "./config.js";

/** The one line a server prints on stdout: the harness waits for it instead of sleeping. */
export function readyLine(config: Config, port: number, pids: number[]): string {
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const line: ReadyLine = {
    event: "ready",
    url: `http://${host}:${port}`,
    port,
    pid: process.pid,
    instances: pids.length,
    pids,
    cache: config.cache,
    store: config.store,
    auth: config.auth,
    ...(config.auth === "off"
      ? { warning: "authentication is OFF: this is the ceiling, not a server to use" }
      : {}),
    originLatencyMs: config.originLatencyMs,
    cacheTtl: config.cacheTtl,
    tokenTtl: config.tokenTtl,
    passwordCost: formatCost(config.passwordCost),
    hashConcurrency: config.hashConcurrency,
    hashQueue: config.hashQueue,
    loginLimits: describeLoginLimits(config),
    coalesce: config.coalesce,
    cacheTtlJitter: config.cacheTtlJitter,
    injectCpuUs: config.injectCpuUs,
    tokens: config.tokens,
    ...(config.tokens === "jwt"
      ? {
          jwt: {
            alg: config.jwtAlg,
            revocation: config.jwtRevocation,
            verifyCacheSeconds: config.jwtVerifyCache,
            key: config.jwtKey === "" ? "generated" : "file",
          },
        }
      : {}),
  };
  return JSON.stringify(line);
}

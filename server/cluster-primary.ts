import cluster, { type Worker } from "node:cluster";
import { serverFailed } from "../lib/errors.js";
import { generatedKeys, KEY_HANDOVER_ENV, signingJwk } from "./auth/jwt-keys.js";
import type { Config } from "./config.js";
import { readyLine } from "./ready-line.js";

/** What a worker tells the primary once it listens. */
export interface WorkerReady {
  kind: "acb-ready";
  port: number;
}

const isReady = (message: unknown): message is WorkerReady =>
  typeof message === "object" && message !== null && (message as WorkerReady).kind === "acb-ready";

/**
 * Forks `instances` workers that share the port (node:cluster), the store and Redis, prints one
 * ready line when all listen, and stops them all on SIGTERM/SIGINT. A worker that dies takes the
 * whole server down: a benchmark must not quietly continue on fewer instances.
 */
export function runPrimary(config: Config, onFatal: (error: unknown) => never): void {
  const workers: Worker[] = [];
  const ready = new Map<number, number>();
  let stopping = false;

  const stopAll = (code: number) => {
    stopping = true;
    for (const worker of workers) worker.process.kill("SIGTERM");
    let left = workers.filter((worker) => !worker.isDead()).length;
    if (left === 0) process.exit(code);
    cluster.on("exit", () => {
      left -= 1;
      if (left <= 0) process.exit(code);
    });
  };

  // One generated key for every instance, or a token signed by one would be refused by another.
  const env =
    config.tokens === "jwt" && config.jwtKey === ""
      ? { [KEY_HANDOVER_ENV]: signingJwk(generatedKeys(config.jwtAlg)) }
      : {};
  for (let i = 0; i < config.instances; i++) {
    const worker = cluster.fork(env);
    workers.push(worker);
    worker.on("message", (message: unknown) => {
      if (!isReady(message)) return;
      ready.set(worker.id, message.port);
      if (ready.size === config.instances) {
        const pids = workers.map((w) => w.process.pid ?? 0);
        process.stdout.write(`${readyLine(config, message.port, pids)}\n`);
      }
    });
  }
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) return;
    stopAll(1);
    onFatal(serverFailed(`instance ${worker.process.pid} exited (${signal ?? `code ${code}`})`));
  });
  process.on("SIGTERM", () => stopAll(0));
  process.on("SIGINT", () => stopAll(0));
}

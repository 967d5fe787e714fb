import cluster from "node:cluster";
import type { AddressInfo } from "node:net";
import { exitWithError } from "../lib/cli-edge.js";
import { buildApp } from "./app.js";
import { runPrimary, type WorkerReady } from "./cluster-primary.js";
import { loadConfig, usage } from "./config.js";
import { readyLine } from "./ready-line.js";

const COMMAND = "auth-cache-bench server";
const CLOSE_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage("npm run server --")}\n`);
    return;
  }
  const config = loadConfig(argv, process.env);
  if (config.instances > 1 && cluster.isPrimary) {
    runPrimary(config, (error) => exitWithError(COMMAND, error));
    return;
  }
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    // A second signal forces the exit, except in a cluster worker: Ctrl-C reaches the whole
    // process group, and the primary's SIGTERM that follows must not cut the graceful close short.
    if (closing) {
      if (!cluster.isWorker) process.exit(1);
      return;
    }
    closing = true;
    // In-flight requests finish; then the cache and the store close (onClose hooks).
    setTimeout(() => process.exit(1), CLOSE_TIMEOUT_MS).unref();
    // Node closes idle keep-alive connections only once, when closing starts; connections whose
    // in-flight request ends later would hold the close open until the client lets go.
    setInterval(() => app.server.closeIdleConnections(), 50).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => exitWithError(`${COMMAND} (${signal})`, error),
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  if (cluster.isWorker) {
    process.send?.({ kind: "acb-ready", port } satisfies WorkerReady);
  } else {
    process.stdout.write(`${readyLine(config, port, [process.pid])}\n`);
  }
}

main().catch((error: unknown) => exitWithError(COMMAND, error));

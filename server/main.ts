import type { AddressInfo } from "node:net";
import { buildApp } from "./app.js";
import { formatCost } from "./auth/password.js";
import { exitWithError } from "./cli-edge.js";
import { loadConfig, usage } from "./config.js";

const COMMAND = "auth-cache-bench server";
const CLOSE_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${usage("npm run server --")}\n`);
    return;
  }
  const config = loadConfig(argv, process.env);
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
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

  // The one line on stdout: the harness waits for it instead of sleeping.
  const ready = {
    event: "ready",
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    port,
    pid: process.pid,
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
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => exitWithError(COMMAND, error));

import { killAll } from "./children.js";

/** Ctrl-C once: stop the load, keep what was measured, write the report. Twice: quit now. */
export function interruptible(): AbortSignal {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) {
      killAll();
      process.exit(130);
    }
    process.stderr.write(
      "\ninterrupted: finishing the current run's bookkeeping and writing the report (Ctrl-C again to quit now)\n",
    );
    controller.abort();
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  return controller.signal;
}

import type { BenchmarkCommand } from "../harness/command.js";
import { type MicroCommandOptions, microCommandOptions, microUsage } from "./options.js";
import { fmtTime } from "./render.js";
import { type MicroProgress, runMicroBenchmark } from "./run-micro.js";
import type { LoadReference, MicroResults } from "./schema.js";
import { microViews } from "./views.js";

/** Progress goes to stderr: stdout carries only the tables, or only the JSON with --json. */
function printProgress(event: MicroProgress): void {
  if (event.kind === "note") {
    process.stderr.write(`${event.message}\n`);
    return;
  }
  const { task } = event;
  const figure =
    task.stats !== null
      ? `${fmtTime(task.stats.meanUs)} mean`
      : `${task.state.toUpperCase()}${task.error ? `: ${task.error}` : ""}`;
  process.stderr.write(`  [${event.done}/${event.total}] ${task.name}: ${figure}\n`);
}

/** Where the server CPU per request of a load report comes from, beside the parts' cost. */
export interface MicroReferences {
  loadReference(out: string): Promise<LoadReference | null>;
}

/**
 * `npm run bench:micro`: exit 1 when a task or a suite failed (an unreachable service is not a
 * failure: its tasks are skipped with a line saying why).
 */
export const microCommand = (
  references: MicroReferences,
): BenchmarkCommand<MicroCommandOptions, MicroResults> => ({
  usage: microUsage,
  parse: microCommandOptions,
  run: async ({ json: _, ...options }, signal) =>
    runMicroBenchmark(options, printProgress, signal, await references.loadReference(options.out)),
  tables: microViews.tables,
  exitCode: (results) =>
    results.skipped.some((skipped) => skipped.failed) ||
    results.suites.some((suite) => suite.tasks.some((task) => task.state === "errored"))
      ? 1
      : 0,
});

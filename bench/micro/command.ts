import { microCommandOptions, microUsage } from "./options.js";
import { fmtTime } from "./render.js";
import { type MicroProgress, runMicroBenchmark } from "./run-micro.js";
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

/**
 * `npm run bench:micro`: parses the options, runs the suites, prints the tables (or the JSON), and
 * returns the exit code: 0; 1 when a task or a suite failed (an unreachable service is not a
 * failure: its tasks are skipped with a line saying why); 130 when interrupted. Bad options throw
 * ACB_CONFIG_INVALID for the caller's edge to print.
 */
export async function microCommand(argv: readonly string[], signal: AbortSignal): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${microUsage()}\n`);
    return 0;
  }
  const options = microCommandOptions(argv, process.env);
  const { json, ...runOptions } = options;
  const { results, folder } = await runMicroBenchmark(runOptions, printProgress, signal);
  if (json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(microViews.tables(results));
  process.stderr.write(
    `report: ${folder.dir}/report.html (report.md and results.json beside it; latest: ${options.out}/latest)\n`,
  );
  if (signal.aborted) return 130;
  const failed =
    results.skipped.some((skipped) => skipped.failed) ||
    results.suites.some((suite) => suite.tasks.some((task) => task.state === "errored"));
  return failed ? 1 : 0;
}

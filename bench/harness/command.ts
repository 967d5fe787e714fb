import type { ReportFolder } from "../report/write.js";
import { interruptible } from "./interrupt.js";

/** What every benchmark command's options carry besides its own. */
export interface CommandOptions {
  json: boolean;
  out: string;
}

/** One benchmark command, as its kind describes it; runBenchmarkCommand does the rest. */
export interface BenchmarkCommand<O extends CommandOptions, R> {
  usage(): string;
  /** Throws ACB_CONFIG_INVALID naming the bad flag, for the CLI edge to print. */
  parse(argv: readonly string[], env: NodeJS.ProcessEnv): O;
  /** Runs the benchmark; progress goes to stderr, the report folder is written as it goes. */
  run(options: O, signal: AbortSignal): Promise<{ results: R; folder: ReportFolder }>;
  /** Whatever the command does with finished results besides printing them (a baseline file). */
  after?(options: O, results: R, signal: AbortSignal): Promise<void>;
  /** The terminal view, ending in a newline (or another view the options ask for, like Markdown). */
  tables(results: R, options: O): string;
  /** The exit code of a run that was not interrupted: 0, or 1 when something failed. */
  exitCode(results: R): number;
}

/**
 * The shell of every benchmark command: --help, options, the run, then the tables on stdout (or
 * only the results JSON with --json) and where the report is on stderr. Exit 130 when interrupted.
 */
export async function runBenchmarkCommand<O extends CommandOptions, R>(
  command: BenchmarkCommand<O, R>,
  argv: readonly string[],
  signal: AbortSignal,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${command.usage()}\n`);
    return 0;
  }
  const options = command.parse(argv, process.env);
  const { results, folder } = await command.run(options, signal);
  await command.after?.(options, results, signal);
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(command.tables(results, options));
  process.stderr.write(
    `report: ${folder.dir}/report.html (report.md and results.json beside it; latest: ${options.out}/latest)\n`,
  );
  return signal.aborted ? 130 : command.exitCode(results);
}

/** A benchmark command as the dispatcher runs it: the first Ctrl-C stops it cleanly. */
export const benchmark =
  <O extends CommandOptions, R>(command: BenchmarkCommand<O, R>) =>
  (argv: string[]): Promise<number> =>
    runBenchmarkCommand(command, argv, interruptible());

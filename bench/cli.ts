#!/usr/bin/env node
import { exitWithError } from "../server/cli-edge.js";
import { usageError } from "../server/errors.js";
import { saveBaseline } from "./compare/baseline.js";
import { compareCommand } from "./compare/command.js";
import { killAll } from "./load/children.js";
import { type Progress, runLoadBenchmark } from "./load/run-load.js";
import { microCommand } from "./micro/command.js";
import { loadCommandOptions, loadUsage } from "./options.js";
import { reportCommand } from "./report/command.js";
import { loadViews } from "./report/load-views.js";
import { revocationCommand } from "./revocation/command.js";

const COMMAND = "auth-cache-bench";
const HELP = `Usage: npx auth-cache-bench <command> [options]

Commands:
  load        the load benchmark across cache modes (npm run bench)
  revocation  revocation lag across instances (npm run bench:revocation)
  micro       what each step of a token check costs, in-process (npm run bench:micro)
  report      render report.md and report.html again from a results.json (npm run report)
  compare     the regression gate between two results (npm run bench:compare)

${loadUsage()}`;

const seconds = (ms: number) => {
  const total = Math.round(ms / 1000);
  return total >= 60
    ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`
    : `${total}s`;
};

/** Progress goes to stderr: stdout carries only the tables, or only the JSON with --json. */
function progressPrinter(): (event: Progress) => void {
  const tty = process.stderr.isTTY === true;
  let lineOpen = false;
  const line = (text: string) => {
    if (lineOpen) process.stderr.write("\n");
    lineOpen = false;
    process.stderr.write(`${text}\n`);
  };
  return (event) => {
    if (event.kind === "note") line(event.message);
    else if (event.kind === "run") {
      const text = `[${event.done + 1}/${event.total}] ${event.mode}, run ${event.round} of ${event.rounds} · ${seconds(event.elapsedMs)} elapsed · ETA ${seconds(event.etaMs)}`;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text}`);
        lineOpen = true;
      } else line(text);
    } else {
      const run = event.run;
      const figure =
        run.status === "ok"
          ? `${Math.round(run.rps)} req/s`
          : `${run.status.toUpperCase()}: ${run.reasons.join("; ")}`;
      if (!tty || run.status !== "ok") line(`  ${run.mode} run ${run.round}: ${figure}`);
    }
  };
}

/** Ctrl-C once: stop the load, keep what was measured, write the report. Twice: quit now. */
function interruptible(): AbortSignal {
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

async function load(argv: string[], signal: AbortSignal): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${loadUsage()}\n`);
    return 0;
  }
  const options = loadCommandOptions(argv, process.env);
  const { results, folder } = await runLoadBenchmark(options, progressPrinter(), signal);
  if (options.saveBaseline !== null && !signal.aborted) {
    await saveBaseline(results, options.saveBaseline);
    process.stderr.write(`baseline: ${options.saveBaseline}\n`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else process.stdout.write(loadViews.tables(results));
  process.stderr.write(
    `report: ${folder.dir}/report.html (report.md and results.json beside it; latest: ${options.out}/latest)\n`,
  );
  if (signal.aborted) return 130;
  return results.runs.some((run) => run.status !== "ok") ? 1 : 0;
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // The benchmarks stop cleanly on the first Ctrl-C; report and compare just end.
  const commands: Record<string, (argv: string[]) => Promise<number>> = {
    load: (argv) => load(argv, interruptible()),
    revocation: (argv) => revocationCommand(argv, interruptible()),
    micro: (argv) => microCommand(argv, interruptible()),
    report: reportCommand,
    compare: compareCommand,
  };
  const run = commands[command];
  if (!run) {
    throw usageError(
      `unknown command ${JSON.stringify(command)}; try ${Object.keys(commands).join(", ")}`,
    );
  }
  return run(rest);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => exitWithError(COMMAND, error),
);

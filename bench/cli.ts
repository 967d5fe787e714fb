#!/usr/bin/env node
import { exitWithError } from "../lib/cli-edge.js";
import { usageError } from "../lib/errors.js";
import { abCommand } from "./ab/index.js";
import { compareCommand } from "./compare/command.js";
import { benchmark } from "./harness/command.js";
import { KINDS } from "./kinds.js";
import { loadCommand, loadUsage } from "./load/index.js";
import { mapCommand } from "./map/index.js";
import { microCommand } from "./micro/index.js";
import {
  latestEntryWeights,
  latestLoadReference,
  latestRevocation,
  latestThroughput,
} from "./references.js";
import { reportCommand } from "./report/command.js";
import { revocationCommand } from "./revocation/index.js";

const COMMAND = "auth-cache-bench";
const HELP = `Usage: npx auth-cache-bench <command> [options]

Commands:
  load        the load benchmark across cache modes (npm run bench)
  revocation  revocation lag across instances (npm run bench:revocation)
  micro       what each step of a token check costs, in-process (npm run bench:micro)
  map         where caching pays off as the store gets further away (npm run bench:map)
  report      render report.md and report.html again from a results.json (npm run report)
  compare     the regression gate between two results (npm run bench:compare)
  ab          two versions of the server interleaved in one run, gated (npm run bench:ab)

${loadUsage()}`;

// The benchmarks stop cleanly on the first Ctrl-C; report and compare just end.
const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  load: benchmark(loadCommand({ entryWeights: latestEntryWeights, revocation: latestRevocation })),
  revocation: benchmark(revocationCommand({ throughput: latestThroughput })),
  micro: benchmark(microCommand({ loadReference: latestLoadReference })),
  map: benchmark(mapCommand({ entryWeights: latestEntryWeights, revocation: latestRevocation })),
  report: (argv) => reportCommand(KINDS, argv),
  compare: compareCommand,
  ab: benchmark(abCommand),
};

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    throw usageError(
      `unknown command ${JSON.stringify(command)}; try ${Object.keys(COMMANDS).join(", ")}`,
    );
  }
  return run(rest);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => exitWithError(COMMAND, error),
);

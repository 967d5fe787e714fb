import { EXIT_CODES } from "../compare/compare-results.js";
import type { BenchmarkCommand } from "../harness/command.js";
import { armLabel } from "../load/index.js";
import { type AbCommandOptions, abCommandOptions, abUsage } from "./options.js";
import { type AbProgress, runAb } from "./run-ab.js";
import type { AbResults } from "./schema.js";
import { abViews } from "./views.js";

type AbParsed = AbCommandOptions & { given: ReadonlySet<keyof AbCommandOptions> };

/** Progress on stderr: preparation notes, then one line per finished run. */
function printProgress(event: AbProgress): void {
  if (event.kind === "note") {
    process.stderr.write(`${event.message}\n`);
    return;
  }
  const inner = event.event;
  if (inner.kind === "note") process.stderr.write(`  ${inner.message}\n`);
  else if (inner.kind === "run") {
    process.stderr.write(
      `[${inner.done + 1}/${inner.total}] ${armLabel(inner)}, round ${inner.round}\n`,
    );
  } else if (inner.kind === "result" && inner.run.status !== "ok") {
    const run = inner.run;
    process.stderr.write(
      `  ${armLabel(run)} round ${run.round}: ${run.status}: ${run.reasons.join("; ")}\n`,
    );
  }
}

/** `npm run bench:ab`: exit 1 on a significant regression, 2 when it cannot be judged, else 0. */
export const abCommand: BenchmarkCommand<AbParsed, AbResults> = {
  usage: abUsage,
  parse: (argv, env) => {
    const { options, given } = abCommandOptions(argv, env);
    return { ...options, given };
  },
  run: ({ given, ...options }, signal) => runAb(options, given, printProgress, signal),
  tables: (results, options) =>
    options.markdown ? abViews.markdown(results) : abViews.tables(results),
  exitCode: (results) => (results.gate ? EXIT_CODES[results.gate.outcome] : 2),
};

import type { BenchmarkCommand } from "../harness/command.js";
import { fmtUs } from "../report/format.js";
import { saveBaseline } from "./baseline.js";
import { type LoadCommandOptions, loadCommandOptions, loadUsage } from "./options.js";
import { armLabel } from "./rows.js";
import { type Progress, runLoadBenchmark } from "./run-load.js";
import type { EntryWeights, LoadResults, RevocationReference, RunResult } from "./schema.js";
import { loadViews } from "./views.js";

const seconds = (ms: number) => {
  const total = Math.round(ms / 1000);
  return total >= 60
    ? `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`
    : `${total}s`;
};

function runFigure(run: RunResult): string {
  if (run.capacity)
    return `capacity ${run.capacity.capacity} req/s within p99 ≤ ${run.capacity.sloP99Ms} ms`;
  const rps = `${Math.round(run.rps)} req/s`;
  if (!run.openLoop) return rps;
  return `${rps} of ${run.openLoop.offeredRate} offered, p99 ${fmtUs(run.latencyUs?.p99)}`;
}

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
      const text = `[${event.done + 1}/${event.total}] ${armLabel(event)}, run ${event.round} of ${event.rounds} · ${seconds(event.elapsedMs)} elapsed · ETA ${seconds(event.etaMs)}`;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text}`);
        lineOpen = true;
      } else line(text);
    } else if (event.kind === "step") {
      const { rate, passed, figures } = event.step;
      const p99 = figures.latencyUs ? fmtUs(figures.latencyUs.p99) : "no answers";
      const dropped = figures.dropped > 0 ? `, ${figures.dropped} dropped` : "";
      line(
        `  ${armLabel(event.arm)} at ${rate} req/s: p99 ${p99}${dropped} ${passed ? "held" : "broke"} the SLO`,
      );
    } else {
      const run = event.run;
      const figure =
        run.status === "ok"
          ? runFigure(run)
          : `${run.status.toUpperCase()}: ${run.reasons.join("; ")}`;
      if (!tty || run.status !== "ok") line(`  ${armLabel(run)} run ${run.round}: ${figure}`);
    }
  };
}

/**
 * Where the weight of a cache entry and each mode's revocation exposure come from: the micro and
 * revocation benchmarks, which the load kind may not read.
 */
export interface LoadReferences {
  entryWeights(out: string): Promise<EntryWeights | null>;
  revocation(
    out: string,
    store: string,
    redisCluster: readonly string[],
  ): Promise<RevocationReference | null>;
}

/** `npm run bench`: exit 1 when any run was invalid or failed. */
export const loadCommand = (
  references: LoadReferences,
): BenchmarkCommand<LoadCommandOptions, LoadResults> => ({
  usage: loadUsage,
  parse: loadCommandOptions,
  run: async (options, signal) =>
    runLoadBenchmark(options, progressPrinter(), signal, {
      entryWeights: await references.entryWeights(options.out),
      revocation: await references.revocation(options.out, options.store, options.redisCluster),
    }),
  after: async (options, results, signal) => {
    if (options.saveBaseline === null || signal.aborted) return;
    await saveBaseline(results, options.saveBaseline);
    process.stderr.write(`baseline: ${options.saveBaseline}\n`);
  },
  tables: loadViews.tables,
  exitCode: (results) => (results.runs.some((run) => run.status !== "ok") ? 1 : 0),
});

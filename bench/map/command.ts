import type { BenchmarkCommand } from "../harness/command.js";
import { type MapCommandOptions, mapCommandOptions, mapUsage } from "./options.js";
import { type MapProgress, type MapReferences, runMap } from "./run-map.js";
import type { MapResults } from "./schema.js";
import { mapViews } from "./views.js";

/** Progress on stderr: one line per distance and per finished run. */
function printProgress(event: MapProgress): void {
  if (event.kind === "distance") {
    const loop = event.loop === "closed" ? "" : ` (${event.loop})`;
    process.stderr.write(`[${event.index + 1}/${event.total}] ${event.distance.label}${loop}\n`);
    return;
  }
  const inner = event.event;
  if (inner.kind === "note") process.stderr.write(`  ${inner.message}\n`);
  else if (inner.kind === "result") {
    const run = inner.run;
    const figure =
      run.status === "ok"
        ? `${Math.round(run.rps)} req/s`
        : `${run.status}: ${run.reasons.join("; ")}`;
    process.stderr.write(`  ${run.mode} run ${run.round}: ${figure}\n`);
  }
}

/** `npm run bench:map`: exit 1 when a distance failed or a run was not valid. */
export const mapCommand = (
  references: MapReferences,
): BenchmarkCommand<MapCommandOptions, MapResults> => ({
  usage: mapUsage,
  parse: mapCommandOptions,
  run: ({ json: _, ...options }, signal) => runMap(options, printProgress, signal, references),
  tables: mapViews.tables,
  exitCode: (results) =>
    results.points.some(
      (p) => p.status !== "complete" || p.cells.some((c) => c.validRuns < c.totalRuns),
    )
      ? 1
      : 0,
});

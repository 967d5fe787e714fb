import { processSnapshot } from "./process-cpu.js";
import { type Provenance, settleMachineLoad } from "./provenance.js";
import type { ReportFolder } from "./write.js";

/** Where every benchmark's results file stands: written from the start, settled at the end. */
export type BenchmarkStatus = "running" | "complete" | "interrupted";

export interface RecordedResults {
  status: BenchmarkStatus;
  provenance: Provenance;
}

/**
 * Everything one kind of results is turned into: its derived figures (computed from the runs
 * alone, so computing them again changes nothing) and its three views. The runner writes them at
 * the end; `npm run report` writes them again from results.json.
 */
export interface ResultViews<R> {
  /** Computes the derived figures in place; absent where the runner leaves nothing to derive. */
  derive?(results: R): void;
  markdown(results: R): string;
  html(results: R): string;
  /** The terminal view, ending in a newline. */
  tables(results: R): string;
}

export interface Recording<R extends RecordedResults> {
  folder: ReportFolder;
  results: R;
  signal: AbortSignal;
  views: ResultViews<R>;
  /** Stops what the benchmark started; runs last, whatever happened. */
  cleanup: () => Promise<void>;
}

/**
 * Runs a benchmark so that nothing measured is lost: results.json is written at the start and
 * whenever `work` calls `save`, and at the end — complete, interrupted by Ctrl-C, or failed
 * (the error is rethrown) — the summaries, results.json, report.md and report.html are written.
 */
export async function recordBenchmark<R extends RecordedResults>(
  recording: Recording<R>,
  work: (save: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const { folder, results, signal } = recording;
  const save = () => folder.write("results.json", `${JSON.stringify(results, null, 2)}\n`);
  const processes = processSnapshot();
  try {
    await save();
    await work(save);
    results.status = signal.aborted ? "interrupted" : "complete";
  } catch (error) {
    results.status = "interrupted";
    throw error;
  } finally {
    try {
      settleMachineLoad(results.provenance, processes, processSnapshot());
      recording.views.derive?.(results);
      await save();
      await folder.write("report.md", recording.views.markdown(results));
      await folder.write("report.html", recording.views.html(results));
    } finally {
      await recording.cleanup();
    }
  }
}

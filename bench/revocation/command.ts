import { revocationOptions, revocationUsage } from "./options.js";
import { runRevocationBenchmark } from "./run-revocation.js";
import { revocationViews } from "./views.js";

/** `npm run bench:revocation`: prints the lag table, writes the report; exit 1 when a token outlived every bound. */
export async function revocationCommand(argv: string[], signal: AbortSignal): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${revocationUsage()}\n`);
    return 0;
  }
  const options = revocationOptions(argv, process.env);
  const { results, folder } = await runRevocationBenchmark(
    options,
    (event) =>
      process.stderr.write(
        event.kind === "note"
          ? `${event.message}\n`
          : `[${event.index + 1}/${event.total}] ${event.mode}: ${options.instances} instances\n`,
      ),
    signal,
  );
  process.stdout.write(revocationViews.tables(results));
  process.stderr.write(
    `report: ${folder.dir}/report.html (report.md and results.json beside it)\n`,
  );
  if (signal.aborted) return 130;
  return results.summaries.some((s) => s.unrevoked > 0) ? 1 : 0;
}

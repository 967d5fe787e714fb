import type { BenchmarkCommand } from "../harness/command.js";
import { type RevocationCommandOptions, revocationOptions, revocationUsage } from "./options.js";
import { runRevocationBenchmark, type ThroughputReference } from "./run-revocation.js";
import type { RevocationResults } from "./schema.js";
import { revocationViews } from "./views.js";

/** Where the throughput beside each mode's lag comes from. */
export interface RevocationReferences {
  throughput(
    out: string,
    store: string,
    redisCluster: readonly string[],
  ): Promise<ThroughputReference | null>;
}

/** `npm run bench:revocation`: prints the lag table, writes the report; exit 1 when a mode broke its promise. */
export const revocationCommand = (
  references: RevocationReferences,
): BenchmarkCommand<RevocationCommandOptions, RevocationResults> => ({
  usage: revocationUsage,
  parse: revocationOptions,
  run: async ({ json: _, ...options }, signal) =>
    runRevocationBenchmark(
      options,
      (event) =>
        process.stderr.write(
          event.kind === "note"
            ? `${event.message}\n`
            : `[${event.index + 1}/${event.total}] ${event.mode}: ${options.instances} instances\n`,
        ),
      signal,
      await references.throughput(options.out, options.store, options.redisCluster),
    ),
  tables: revocationViews.tables,
  exitCode: (results) => (results.summaries.some((s) => s.brokenPromise !== null) ? 1 : 0),
});

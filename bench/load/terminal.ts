import { renderTable, section, WIDTH, wrap } from "../report/table.js";
import { claimLines, claims } from "./claims.js";
import { summaryRows, verdictFigure, verdictLines, warningLines } from "./rows.js";
import { baselineOf, benchmarked, type LoadOptions, type LoadResults, loopOf } from "./schema.js";

function loopTitle(options: LoadOptions): string {
  switch (loopOf(options)) {
    case "open":
      return `open loop at ${options.rate} req/s (${options.arrivals}), ≤ ${options.connections} connections, ${options.duration} s × ${options.runs} runs (${options.warmup} s warm-up)`;
    case "capacity":
      return `capacity at p99 ≤ ${options.sloP99Ms} ms, ${options.duration} s steps × ${options.runs} rounds, ≤ ${options.connections} connections`;
    case "closed":
      return `${options.connections} connections, ${options.duration} s × ${options.runs} runs (${options.warmup} s warm-up)`;
  }
}

function titleLine({ options, status }: LoadResults): string {
  const parts = [
    `auth-cache-bench: ${options.scenario} scenario`,
    benchmarked(options),
    loopTitle(options),
  ];
  return `${parts.join(", ")}${status === "complete" ? "" : ` [${status}]`}`;
}

/** The terminal view: plain text without colours, 100 columns wide. */
export function renderTables(results: LoadResults): string {
  const verdicts = verdictLines(results);
  const warnings = warningLines(results);
  const claimed = claimLines(claims(results));
  const blocks = [
    wrap(titleLine(results), WIDTH),
    ...summaryRows(results).map(renderTable),
    ...(verdicts.length > 0 ? [section(`Verdict (${verdictFigure(results)})`, verdicts)] : []),
    ...(claimed.length > 0
      ? [
          section(
            results.options.targets.length > 0
              ? `Claims (each target against ${baselineOf(results.options)})`
              : "Claims (each cache mode against none)",
            claimed,
          ),
        ]
      : []),
    ...(warnings.length > 0 ? [section("Warnings", warnings)] : []),
  ];
  return `${blocks.join("\n\n")}\n`;
}

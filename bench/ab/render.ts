import { renderGateMarkdown, renderGateText } from "../compare/render.js";
import type { VersionInfo } from "../load/index.js";
import { section } from "../report/table.js";
import type { AbResults } from "./schema.js";

/** One line per version: where it came from, what its servers ran without and with. */
export function versionLines(results: AbResults): string[] {
  return results.versions.map((version: VersionInfo) => {
    const parts = [`${version.name}: ${version.source} (${version.commit ?? "no commit"})`];
    if (version.droppedFlags.length > 0) {
      parts.push(`ran without ${version.droppedFlags.join(", ")} (its server has no such flag)`);
    }
    if (version.extraArgs.length > 0) parts.push(`with ${version.extraArgs.join(" ")}`);
    return parts.join("; ");
  });
}

/** How the run was made: rounds, arms, order, and where the load report of its runs is. */
export function runLines(results: AbResults): string[] {
  const { options } = results;
  const loop = options.capacity
    ? `capacity at p99 ≤ ${options.sloP99Ms} ms`
    : options.rate !== null
      ? `open loop at ${options.rate} req/s`
      : "closed loop";
  return [
    `${options.runs} rounds × ${options.modes.length} mode${options.modes.length === 1 ? "" : "s"} × 2 versions, ${loop}, ${options.duration} s per run after ${options.warmup} s of warm-up; each round in a seeded random order (seed ${options.orderSeed ?? "not drawn yet"}), each arm a fresh server of its version`,
    `every run: ${results.load ? `the load report in ${results.load}/` : "no runs yet"}`,
  ];
}

const noGate = (results: AbResults) =>
  `No gate: ${results.status === "complete" ? "no runs" : `the run is ${results.status}`}.`;

/** The terminal view: the runs, the versions, then the gate as bench:compare prints it. */
export function renderAbTables(results: AbResults): string {
  const head = section("A/B run", [...runLines(results), ...versionLines(results)]);
  return `${head}\n\n${results.gate ? renderGateText(results.gate) : `${noGate(results)}\n`}`;
}

/** The Markdown view: the pull-request comment, with the versions under it. */
export function renderAbMarkdown(results: AbResults): string {
  const bullets = (lines: readonly string[]) => lines.map((line) => `- ${line}`).join("\n");
  const about = `### This A/B run\n\n${bullets([...runLines(results), ...versionLines(results)])}\n`;
  if (!results.gate) return `## auth-cache-bench: A/B run\n\n${noGate(results)}\n\n${about}`;
  return `${renderGateMarkdown(results.gate)}\n${about}`;
}

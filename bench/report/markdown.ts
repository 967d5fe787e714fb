import { CLAIMS_RULE, type ClaimResult, claims, NO_CLAIMS } from "./claims.js";
import { DASH, fmtBytes, summaryRows, verdictLines, warningLines } from "./format.js";
import type { LoadOptions, LoadResults, Provenance } from "./schema.js";

const escapeCell = (cell: string): string => cell.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");

export function mdTable(
  header: readonly string[],
  rows: readonly string[][],
  numeric = false,
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  const rule = header.map((_, column) => (numeric && column > 0 ? "---:" : "---"));
  return [line(header), `|${rule.join("|")}|`, ...rows.map(line)].join("\n");
}

const bullets = (lines: readonly string[], none: string): string =>
  lines.length > 0 ? lines.map((line) => `- ${line}`).join("\n") : none;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** What ran, in one paragraph; `code` and **bold** are Markdown, which the HTML page also reads. */
export function summaryParagraph({ options, runs, skipped, status }: LoadResults): string {
  const ran = options.modes.filter((mode) => !skipped.some((s) => s.mode === mode));
  const against = options.target
    ? `the external target ${options.target}`
    : `the reference server on ${options.store === "sqlite" ? "SQLite" : "PostgreSQL"}`;
  const valid = runs.filter((run) => run.status === "ok").length;
  const sentences = [
    `Modes ${listWords(ran.map((mode) => `\`${mode}\``))} each ran ${plural(options.runs, "round")}` +
      ` of the \`${options.scenario}\` scenario against ${against}, interleaved round by round:` +
      ` ${options.connections} connections for ${options.duration} s after a ${options.warmup} s` +
      ` warm-up per run${options.quick ? " (quick mode)" : ""}.`,
    `The server had ${options.users} users, ${options.originLatencyMs} ms of added origin latency` +
      ` and a cache TTL of ${options.cacheTtl} s with at most ${options.cacheMax} entries.`,
    `${valid} of ${plural(runs.length, "run")} were valid.`,
  ];
  if (skipped.length > 0) {
    sentences.push(`Skipped: ${listWords(skipped.map((s) => `\`${s.mode}\``))}.`);
  }
  if (status !== "complete") sentences.push(`The run is **${status}**: results are partial.`);
  return sentences.join(" ");
}

export function methodLines({ options }: LoadResults): string[] {
  return [
    "Each run is a fresh server process, so no run inherits another's caches, heap or JIT state.",
    `The first ${options.warmup} s of load on each process are a warm-up and are discarded.`,
    "Runs are interleaved: every round runs each mode once, so slow drift of the machine" +
      " (heat, background work, noisy neighbours) hits all modes alike instead of one; each round" +
      " starts one mode later (A B C, B C A, C A B …), so no mode always runs first or last.",
    "Every figure is the median over a mode's valid runs, with a distribution-free 95% CI from" +
      " order statistics. With fewer than 6 runs that interval is min–max, which covers less" +
      " than 95%.",
    "Ratios (× ceiling, × none) are medians of per-round ratios, which cancels drift shared by" +
      " a round; when rounds cannot be paired, the ratio of medians with a bootstrap CI.",
    "A difference is significant when a two-sided Mann-Whitney U test over the runs gives" +
      " p < 0.05 and the ratio's 95% CI excludes 1; both must agree.",
    "Latency percentiles are in µs from the harness's own HDR histogram, not autocannon's" +
      " whole-millisecond ones.",
    "Server CPU per request, RSS, event-loop delay, hit ratio and store lookups come from the" +
      " server's /metrics, scraped right before and right after the measured window.",
    "The load generator shares the machine with the server. Its CPU share (1.0 is one core) is" +
      " shown, and a run where it saturates its core is flagged: there, throughput may measure" +
      " the generator rather than the server.",
  ];
}

export function provenanceRows(p: Provenance): string[][] {
  const { machine } = p;
  const services: [string, string | null][] = [
    ["Redis", p.services.redis],
    ["PostgreSQL", p.services.postgres],
    ["SQLite", p.services.sqlite],
  ];
  return [
    ["tool", `${p.tool.name} ${p.tool.version}`],
    ["created", p.createdAt],
    ["CPU", machine.cpuModel],
    ["cores", String(machine.cores)],
    ["RAM", fmtBytes(machine.memoryBytes)],
    ["OS", machine.os],
    ["kernel", machine.kernel],
    ["arch", machine.arch],
    ["Node", p.node],
    ...Object.entries(p.packages).map(([name, version]) => [name, version]),
    ...services.map(([name, version]) => [name, version ?? DASH]),
    ["git commit", p.git ? `${p.git.commit}${p.git.dirty ? " (dirty)" : ""}` : DASH],
    ["password cost", p.passwordCost ?? DASH],
  ];
}

// A report is shared more widely than the machine it ran on: keep URL passwords out of it.
const redact = (text: string): string => text.replace(/(\/\/[^/@:]*:)[^/@]*@/g, "$1***@");

function optionValue(value: LoadOptions[keyof LoadOptions]): string {
  if (value === null) return DASH;
  if (Array.isArray(value)) return value.join(", ");
  return redact(String(value));
}

export const optionRows = (options: LoadOptions): string[][] =>
  (Object.keys(options) as (keyof LoadOptions)[]).map((key) => [key, optionValue(options[key])]);

/** Claim, the figure that tests it, then the verdict and its evidence per cache mode. */
function claimRows(found: readonly ClaimResult[]): { header: string[]; rows: string[][] } {
  const modes = found[0]?.verdicts.map((v) => v.mode) ?? [];
  return {
    header: ["claim", "tested by", ...modes],
    rows: found.map(({ id, by, claim, figure, verdicts }) => [
      `(${id}) ${claim}${by === "reader" ? " (a reader's objection)" : ""}`,
      figure,
      ...verdicts.map((v) => `**${v.verdict}**: ${v.evidence.join("; ")}`),
    ]),
  };
}

function claimsSection(results: LoadResults): string {
  const found = claims(results);
  if (found.length === 0) return `## Claims\n\n${NO_CLAIMS}`;
  const { header, rows } = claimRows(found);
  return `## Claims\n\n${CLAIMS_RULE}\n\n${mdTable(header, rows)}`;
}

/** The Markdown view, for a README or a pull request. */
export function renderMarkdown(results: LoadResults): string {
  const { options } = results;
  const tables = summaryRows(results).map(
    ({ title, header, rows }) => `## ${title}\n\n${mdTable(header, rows, true)}`,
  );
  const sections = [
    `# auth-cache-bench: ${options.scenario} scenario, ${options.target ? "external target" : `${options.store} store`}`,
    summaryParagraph(results),
    ...tables,
    `## Verdict (throughput)\n\n${bullets(verdictLines(results), "No modes to compare.")}`,
    claimsSection(results),
    `## Warnings\n\n${bullets(warningLines(results), "None.")}`,
    `## Method\n\n${bullets(methodLines(results), "")}`,
    `## Provenance\n\n${mdTable(["item", "value"], provenanceRows(results.provenance))}`,
    `## Options\n\n${mdTable(["option", "value"], optionRows(options))}`,
  ];
  return `${sections.join("\n\n")}\n`;
}

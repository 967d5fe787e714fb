import { DASH, fmtBytes, fmtNum } from "./format.js";
import type { Provenance } from "./provenance.js";

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

export const bullets = (lines: readonly string[], none: string): string =>
  lines.length > 0 ? lines.map((line) => `- ${line}`).join("\n") : none;

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

function machineLoadRows(load: Provenance["machineLoad"]): string[][] {
  if (!load) return [];
  const end = load.loadAverageEnd === null ? "" : ` → ${load.loadAverageEnd.toFixed(2)}`;
  const busiest = load.busiestOthers
    ? load.busiestOthers.map((p) => `${p.name} (${fmtNum(p.coreShare)} core)`).join(", ") || "none"
    : DASH;
  return [
    ["load average (1 min)", `${load.loadAverageStart.toFixed(2)}${end}`],
    ["busiest other processes", busiest],
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
    // The load generator's machine: with --target, the server may run on another.
    ["host (generator)", machine.hostname ?? DASH],
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
    ...machineLoadRows(p.machineLoad ?? null),
  ];
}

// A report is shared more widely than the machine it ran on: keep URL passwords out of it.
const redact = (text: string): string => text.replace(/(\/\/[^/@:]*:)[^/@]*@/g, "$1***@");

function optionValue(value: unknown): string {
  if (value === null) return DASH;
  if (Array.isArray(value)) return value.join(", ");
  return redact(String(value));
}

export const optionRows = <O extends object>(options: O): string[][] =>
  (Object.keys(options) as (keyof O & string)[]).map((key) => [key, optionValue(options[key])]);

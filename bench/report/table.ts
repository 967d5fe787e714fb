import Table from "cli-table3";
import type { TableData } from "./format.js";

export const WIDTH = 100;
const INDENT = "  ";
const HANGING = "    ";

// Putting each CI under its median, and wrapping headers to their column, is what keeps the
// widest table inside 100 columns.
// A CI's coverage, when it says one, goes on a line of its own below the interval.
const stack = (cell: string): string => cell.replace(" [", "\n[").replace("] (", "]\n(");

// A lone symbol such as "×" stays with the word it qualifies.
const words = (text: string): string[] =>
  text.split(" ").reduce<string[]>((joined, word) => {
    const last = joined.at(-1);
    if (last !== undefined && /^[^\p{L}\p{N}]$/u.test(last))
      joined[joined.length - 1] = `${last} ${word}`;
    else joined.push(word);
    return joined;
  }, []);

export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of words(text)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else {
      lines.push(word);
    }
  }
  return lines.join("\n");
}

const widest = (cells: readonly string[]): number =>
  Math.max(0, ...cells.flatMap((cell) => cell.split("\n").map((line) => line.length)));

/** One table as plain text: each CI under its median, headers wrapped to their column. */
export function renderTable({ title, header, rows }: TableData): string {
  const cells = rows.map((row) => row.map(stack));
  const head = header.map((label, column) => {
    // Only the label before its "[95% CI]" is wrapped; the bracket stays whole on its own line.
    const [first = "", ...rest] = stack(label).split("\n");
    const width = Math.max(
      widest(cells.map((row) => row[column] ?? "")),
      widest(words(first)),
      widest(rest),
    );
    return [wrap(first, width), ...rest].join("\n");
  });
  const table = new Table({
    head,
    colAligns: header.map((_, column) => (column === 0 ? "left" : "right")),
    style: { head: [], border: [] },
  });
  table.push(...cells);
  return `${title}\n${table.toString()}`;
}

/** A heading over lines indented and wrapped to 100 columns. */
export const section = (heading: string, lines: readonly string[]): string =>
  [
    heading,
    ...lines.map(
      (line) => INDENT + wrap(line, WIDTH - HANGING.length).replaceAll("\n", `\n${HANGING}`),
    ),
  ].join("\n");

import { dirname, join } from "node:path";
import { usageError } from "../../server/errors.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { readResults, resultsPath } from "./read.js";
import { summarizeModes } from "./summarize.js";
import { renderTables } from "./table.js";
import { replaceFile } from "./write.js";

const USAGE = `Usage: npm run report -- FOLDER

Renders report.md and report.html again from FOLDER/results.json alone, and prints the tables.
FOLDER is a report folder such as reports/latest (or the path of its results.json).`;

/** `npm run report -- <folder>`: every view of a load benchmark, rendered again from its data. */
export async function reportCommand(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const [target, ...extra] = argv;
  if (target === undefined || extra.length > 0 || target.startsWith("-")) {
    throw usageError(`expects one report folder, e.g. npm run report -- reports/latest`);
  }
  const file = await resultsPath(target);
  const results = await readResults(file);
  // A benchmark killed outright saved its runs but never summarized them.
  if (results.summaries.length === 0 && results.runs.length > 0) {
    results.summaries = summarizeModes(results);
  }
  const dir = dirname(file);
  await replaceFile(join(dir, "report.md"), renderMarkdown(results));
  await replaceFile(join(dir, "report.html"), renderHtml(results));
  io.out(`${renderTables(results)}\n`);
  io.err(`report: ${join(dir, "report.html")} (report.md beside it)\n`);
  return 0;
}

import { dirname, join } from "node:path";
import { usageError } from "../../server/errors.js";
import { renderMicroHtml } from "../micro/html.js";
import { renderMicroMarkdown, renderMicroTables } from "../micro/render.js";
import { MICRO_SCHEMA } from "../micro/schema.js";
import { renderRevocationHtml } from "../revocation/html.js";
import { renderRevocationMarkdown, renderRevocationTable } from "../revocation/render.js";
import { REVOCATION_SCHEMA } from "../revocation/schema.js";
import { summarizeRevocation } from "../revocation/summarize.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { type AnyResults, readAnyResults, resultsPath } from "./read.js";
import { LOAD_SCHEMA } from "./schema.js";
import { summarizeModes } from "./summarize.js";
import { renderTables } from "./table.js";
import { replaceFile } from "./write.js";

const USAGE = `Usage: npm run report -- FOLDER

Renders report.md and report.html again from FOLDER/results.json alone, and prints the tables.
FOLDER is a report folder such as reports/latest (or the path of its results.json), written by
any benchmark command: load, revocation or micro.`;

interface Views {
  markdown: string;
  html: string;
  /** The terminal view, ending in a newline. */
  tables: string;
}

function views(results: AnyResults): Views {
  switch (results.schema) {
    case LOAD_SCHEMA:
      // A benchmark killed outright saved its runs but never summarized them.
      if (results.summaries.length === 0 && results.runs.length > 0) {
        results.summaries = summarizeModes(results);
      }
      return {
        markdown: renderMarkdown(results),
        html: renderHtml(results),
        tables: `${renderTables(results)}\n`,
      };
    case REVOCATION_SCHEMA:
      if (results.summaries.length === 0 && results.trials.length > 0) {
        results.summaries = summarizeRevocation(results);
      }
      return {
        markdown: renderRevocationMarkdown(results),
        html: renderRevocationHtml(results),
        tables: `${renderRevocationTable(results)}\n`,
      };
    case MICRO_SCHEMA:
      return {
        markdown: renderMicroMarkdown(results),
        html: renderMicroHtml(results),
        tables: renderMicroTables(results),
      };
  }
}

/** `npm run report -- <folder>`: every view of any benchmark's results, rendered again from its data. */
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
  const { markdown, html, tables } = views(await readAnyResults(file));
  const dir = dirname(file);
  await replaceFile(join(dir, "report.md"), markdown);
  await replaceFile(join(dir, "report.html"), html);
  io.out(tables);
  io.err(`report: ${join(dir, "report.html")} (report.md beside it)\n`);
  return 0;
}

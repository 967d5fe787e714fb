import { dirname, join } from "node:path";
import { usageError } from "../../server/errors.js";
import { MICRO_SCHEMA } from "../micro/schema.js";
import { microViews } from "../micro/views.js";
import { REVOCATION_SCHEMA } from "../revocation/schema.js";
import { revocationViews } from "../revocation/views.js";
import { loadViews } from "./load-views.js";
import { type AnyResults, readAnyResults, resultsPath } from "./read.js";
import type { ResultViews } from "./record.js";
import { LOAD_SCHEMA } from "./schema.js";
import { replaceFile } from "./write.js";

const USAGE = `Usage: npm run report -- FOLDER

Renders report.md and report.html again from FOLDER/results.json alone, and prints the tables.
FOLDER is a report folder such as reports/latest (or the path of its results.json), written by
any benchmark command: load, revocation or micro.`;

/**
 * Every view of a results file of any kind. The derived figures are computed again from the runs,
 * so a benchmark killed before it could summarize renders complete.
 */
function render(results: AnyResults): { markdown: string; html: string; tables: string } {
  const viewsOf = <R>(views: ResultViews<R>, of: R) => {
    views.summarize(of);
    return { markdown: views.markdown(of), html: views.html(of), tables: views.tables(of) };
  };
  switch (results.schema) {
    case LOAD_SCHEMA:
      return viewsOf(loadViews, results);
    case REVOCATION_SCHEMA:
      return viewsOf(revocationViews, results);
    case MICRO_SCHEMA:
      return viewsOf(microViews, results);
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
  const { markdown, html, tables } = render(await readAnyResults(file));
  const dir = dirname(file);
  await replaceFile(join(dir, "report.md"), markdown);
  await replaceFile(join(dir, "report.html"), html);
  io.out(tables);
  io.err(`report: ${join(dir, "report.html")} (report.md beside it)\n`);
  return 0;
}

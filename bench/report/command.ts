import { dirname, join } from "node:path";
import { usageError } from "../../lib/errors.js";
import { type AnyKind, readAnyResults, resultsPath } from "./read.js";
import { replaceFile } from "./write.js";

const USAGE = `Usage: npm run report -- FOLDER

Renders report.md and report.html again from FOLDER/results.json alone, and prints the tables.
FOLDER is a report folder such as reports/latest (or the path of its results.json), written by
any benchmark command: load, revocation, micro, map or ab.`;

/**
 * Every view of a results file of any kind. The derived figures are computed again from the runs,
 * so a benchmark killed before it could derive them renders complete.
 */
function render(
  kind: AnyKind,
  results: unknown,
): { markdown: string; html: string; tables: string } {
  kind.views.derive?.(results);
  return {
    markdown: kind.views.markdown(results),
    html: kind.views.html(results),
    tables: kind.views.tables(results),
  };
}

/** `npm run report -- <folder>`: every view of any benchmark's results, rendered again from its data. */
export async function reportCommand(
  kinds: readonly AnyKind[],
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
  const { kind, results } = await readAnyResults(file, kinds);
  const { markdown, html, tables } = render(kind, results);
  const dir = dirname(file);
  await replaceFile(join(dir, "report.md"), markdown);
  await replaceFile(join(dir, "report.html"), html);
  io.out(tables);
  io.err(`report: ${join(dir, "report.html")} (report.md beside it)\n`);
  return 0;
}

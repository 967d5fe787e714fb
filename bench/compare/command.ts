import { readLoadResults } from "../load/index.js";
import { resultsPath } from "../report/read.js";
import { compareResults, EXIT_CODES } from "./compare-results.js";
import { compareCommandOptions, compareUsage } from "./options.js";
import { renderGateMarkdown, renderGateText } from "./render.js";

/**
 * `npm run bench:compare -- BASELINE CURRENT`: prints the comparison and returns the exit code.
 * Unusable input and a setup mismatch are thrown (AcbError), for the CLI edge to print in one line.
 */
export async function compareCommand(
  argv: readonly string[],
  write: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    write(`${compareUsage()}\n`);
    return 0;
  }
  const { files, options } = compareCommandOptions(argv, process.env);
  const [baselineFile, currentFile] = files;
  const load = async (file: string) => readLoadResults(await resultsPath(file));
  const [baseline, current] = await Promise.all([load(baselineFile), load(currentFile)]);
  const result = compareResults(baseline, current, options, {
    baseline: baselineFile,
    current: currentFile,
  });
  write(options.markdown ? renderGateMarkdown(result) : renderGateText(result));
  return EXIT_CODES[result.outcome];
}

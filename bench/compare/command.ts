import { compareInput } from "../../lib/errors.js";
import { type LoadResults, loadKind } from "../load/index.js";
import { type MapResults, mapKind } from "../map/index.js";
import { readAnyResults, resultsPath } from "../report/read.js";
import { compareResults, EXIT_CODES } from "./compare-results.js";
import { compareMaps } from "./map-gate.js";
import { compareCommandOptions, compareUsage } from "./options.js";
import { renderGateMarkdown, renderGateText, renderMapGate } from "./render.js";

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
  const [baselinePath, currentPath] = await Promise.all(files.map(resultsPath));
  const read = (file: string) => readAnyResults(file, [loadKind, mapKind]);
  const [first, second] = await Promise.all([
    read(baselinePath as string),
    read(currentPath as string),
  ]);
  if (first.kind !== second.kind) {
    throw compareInput(
      `${baselineFile} is a ${first.kind.title}, ${currentFile} a ${second.kind.title}: compare like with like`,
    );
  }
  if (first.kind === mapKind) {
    const gate = await compareMaps(
      { baseline: baselinePath as string, current: currentPath as string },
      { baseline: first.results as MapResults, current: second.results as MapResults },
      options,
    );
    write(renderMapGate(gate, options.markdown));
    return EXIT_CODES[gate.outcome];
  }
  const [baseline, current] = [first.results as LoadResults, second.results as LoadResults];
  const result = compareResults(baseline, current, options, {
    baseline: baselineFile,
    current: currentFile,
  });
  write(options.markdown ? renderGateMarkdown(result) : renderGateText(result));
  return EXIT_CODES[result.outcome];
}

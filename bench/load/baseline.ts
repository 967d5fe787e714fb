import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { compareInput } from "../../lib/errors.js";
import { replaceFile } from "../report/write.js";
import type { LoadResults } from "./schema.js";

/**
 * Writes the results as a baseline for `npm run bench:compare`. A baseline is a results file like
 * any other; only complete ones are written, since a partial one would compare as a regression.
 */
export async function saveBaseline(results: LoadResults, file: string): Promise<void> {
  if (results.status !== "complete") {
    throw compareInput(`not saving the baseline ${file}: the benchmark is ${results.status}`);
  }
  await mkdir(dirname(file), { recursive: true });
  await replaceFile(file, `${JSON.stringify(results, null, 2)}\n`);
}

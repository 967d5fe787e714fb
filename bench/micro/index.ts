// The micro benchmark's public face: its command, kind, runner and the schema others may read.
export { type MicroReferences, microCommand } from "./command.js";
export { microKind } from "./kind.js";
export { runMicroBenchmark } from "./run-micro.js";
export type { LoadReference, MicroResults } from "./schema.js";

import { readResults } from "../report/read.js";
import { microKind } from "./kind.js";
import type { MicroResults } from "./schema.js";

/** Reads and checks a micro benchmark's results.json; throws ACB_RESULTS_INVALID naming the file. */
export const readMicroResults = (file: string): Promise<MicroResults> =>
  readResults(file, microKind);

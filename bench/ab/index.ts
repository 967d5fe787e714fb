// The A/B run's public face: a composite over the load benchmark and the gate, and the reader of
// its results.
import { readResults } from "../report/read.js";
import { abKind } from "./kind.js";
import type { AbResults } from "./schema.js";

export { abCommand } from "./command.js";
export { abKind } from "./kind.js";
export { abUsage } from "./options.js";
export type { AbResults } from "./schema.js";

/** Reads and checks an A/B run's results.json; throws ACB_RESULTS_INVALID naming the file. */
export const readAbResults = (file: string): Promise<AbResults> => readResults(file, abKind);

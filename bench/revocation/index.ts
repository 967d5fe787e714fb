// The revocation benchmark's public face: its command, kind, runner and the schema others may read.
export { type RevocationReferences, revocationCommand } from "./command.js";
export { promisedBound } from "./derive.js";
export { revocationKind } from "./kind.js";
export { REVOCATION_DEFAULTS } from "./options.js";
export { runRevocationBenchmark, type ThroughputReference } from "./run-revocation.js";
export type { RevocationMode, RevocationResults } from "./schema.js";

import { readResults } from "../report/read.js";
import { revocationKind } from "./kind.js";
import type { RevocationResults } from "./schema.js";

/** Reads and checks a revocation benchmark's results.json; throws ACB_RESULTS_INVALID naming the file. */
export const readRevocationResults = (file: string): Promise<RevocationResults> =>
  readResults(file, revocationKind);

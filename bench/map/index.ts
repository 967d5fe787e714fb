// The store-distance map's public face: a composite over the load benchmark, and the reader
// of its results.
import { readResults } from "../report/read.js";
import { mapKind } from "./kind.js";
import type { MapResults } from "./schema.js";

export { mapCommand } from "./command.js";
export { mapKind } from "./kind.js";
export { mapUsage } from "./options.js";
export { type MapReferences, runMap } from "./run-map.js";
export type { MapResults } from "./schema.js";

/** Reads and checks a map's results.json; throws ACB_RESULTS_INVALID naming the file. */
export const readMapResults = (file: string): Promise<MapResults> => readResults(file, mapKind);

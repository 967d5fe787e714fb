// The micro benchmark's public face: its command, kind, runner and the schema others may read.
export { type MicroReferences, microCommand } from "./command.js";
export { microKind } from "./kind.js";
export { runMicroBenchmark } from "./run-micro.js";
export type { LoadReference, MicroResults } from "./schema.js";

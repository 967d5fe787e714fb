// The revocation benchmark's public face: its command, kind, runner and the schema others may read.
export { type RevocationReferences, revocationCommand } from "./command.js";
export { revocationKind } from "./kind.js";
export { runRevocationBenchmark, type ThroughputReference } from "./run-revocation.js";
export type { RevocationResults } from "./schema.js";

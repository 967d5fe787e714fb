// The load benchmark's public face: what composite kinds (the gate, the store-distance map, an
// A/B run) and the dispatcher may use. Nothing else in bench/load/ is imported from outside it.
import { readResults } from "../report/read.js";
import { loadKind } from "./kind.js";
import type { LoadResults } from "./schema.js";

export { type LoadReferences, loadCommand } from "./command.js";
export {
  busyMachine,
  compareArms,
  isPlain,
  isShipped,
  pairedByRound,
  type RunFigure,
  serverCpuOf,
  systemCpuOf,
} from "./derive.js";
export { loadKind } from "./kind.js";
export { LOAD_DEFAULTS, LOAD_OPTIONS, loadOptionsWith, loadUsage } from "./options.js";
export { armLabel } from "./rows.js";
export {
  type LoadBenchmark,
  type Progress,
  runLoadBenchmark,
  type ServerVersion,
} from "./run-load.js";
export type {
  EntryWeights,
  LoadMode,
  LoadOptions,
  LoadResults,
  ModeSummary,
  RevocationReference,
  RunResult,
  StampedeVariant,
  VersionInfo,
  VersionName,
} from "./schema.js";

/** Reads and checks a load benchmark's results.json; throws ACB_RESULTS_INVALID naming the file. */
export const readLoadResults = (file: string): Promise<LoadResults> => readResults(file, loadKind);

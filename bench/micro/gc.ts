import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type Collect = () => void;

// The command runs without --expose-gc; a context created after the flag is set gets gc() anyway
// (jest's leak detector relies on the same).
function exposedGc(): Collect {
  const existing = (globalThis as { gc?: Collect }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as Collect;
}

let collect: Collect | undefined;

/** A full collection, so that a task does not pay for the garbage the one before it left. */
export function collectGarbage(): void {
  collect ??= exposedGc();
  collect();
}

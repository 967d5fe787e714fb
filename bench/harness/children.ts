import type { ChildProcess } from "node:child_process";

/**
 * Every process the harness starts is registered here, so that none outlives the harness:
 * not on a crash, not on Ctrl-C.
 */
const children = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

export const running = (): number => children.size;

/** Last resort when the harness itself exits: no graceful close, just no orphans. */
export function killAll(): void {
  for (const child of children) child.kill("SIGKILL");
}

process.once("exit", killAll);

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus, platform } from "node:os";

/** Which CPUs the generator (the harness process) and the servers run on, as taskset lists. */
export interface Pinning {
  generator: string;
  servers: string;
}

const allCpus = () => `0-${cpus().length - 1}`;

/**
 * The generator on CPU 0, the servers on all the others; Redis and PostgreSQL are left where the
 * scheduler puts them. Or why pinning is not possible here: it needs Linux, taskset and 2 cores.
 */
export function pinningPlan(): Pinning | string {
  if (platform() !== "linux") return "--pin-cpus needs Linux (taskset)";
  if (!["/usr/bin/taskset", "/bin/taskset"].some((path) => existsSync(path))) {
    return "--pin-cpus needs taskset (util-linux): apt-get install util-linux";
  }
  const count = cpus().length;
  if (count < 2) return `--pin-cpus needs at least 2 cores; this machine has ${count}`;
  return { generator: "0", servers: count === 2 ? "1" : `1-${count - 1}` };
}

/** Every thread of the harness process onto `list`, or back onto every CPU. */
export function pinHarness(list: string | null): void {
  execFileSync("taskset", ["-a", "-p", "-c", list ?? allCpus(), String(process.pid)], {
    stdio: "ignore",
  });
}

/** The command prefix that starts a process on `list`. */
export const onCpus = (list: string): string[] => ["taskset", "-c", list];

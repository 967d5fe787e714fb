import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { serverFailed } from "../../lib/errors.js";
import type { ReadyLine } from "../../lib/ready-line.js";
import { track } from "./children.js";
import { compiled } from "./compiled.js";

/** This tree's own compiled server: what every benchmark runs unless an A/B arm names another. */
export const SERVER_MAIN = compiled(import.meta.url, "../../server/main.js");
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface RunningServer {
  ready: ReadyLine;
  child: ChildProcess;
  /** Set when the process ended before stop() was called: the run it served has failed. */
  crashed(): string | undefined;
  stop(): Promise<void>;
}

/** Starts the reference server as its own process and resolves on its ready line, never a sleep. */
export async function spawnServer(
  args: readonly string[],
  /** A command that runs the server, such as taskset's CPU pinning; it must exec node. */
  prefix: readonly string[] = [],
  /** The server's compiled main.js: another version's, in an A/B run. */
  main: string = SERVER_MAIN,
): Promise<RunningServer> {
  const [program = process.execPath, ...before] = [...prefix, process.execPath];
  const child = track(
    spawn(program, [...before, main, ...args], { stdio: ["ignore", "pipe", "pipe"] }),
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let stopping = false;
  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    if (!stopping)
      exit = `server exited (${signal ?? `code ${code}`}): ${stderr.trim().split("\n").at(-1) ?? ""}`;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timer = setTimeout(() => child.kill("SIGKILL"), READY_TIMEOUT_MS);
  try {
    const [line] = (await Promise.race([
      once(lines, "line"),
      once(child, "exit").then(() => {
        throw serverFailed(`server did not start: ${stderr.trim() || "no output"}`);
      }),
    ])) as [string];
    const ready = JSON.parse(line) as ReadyLine;
    if (ready.event !== "ready")
      throw serverFailed(`unexpected first line from the server: ${line}`);
    return {
      ready,
      child,
      crashed: () => exit,
      stop: async () => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        const timeout = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timeout);
      },
    };
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

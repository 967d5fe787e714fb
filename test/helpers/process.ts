import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A server on a free port over its own SQLite file, printing nothing but its ready line. */
export const quietServerArgs = (sqlitePath: string): string[] => [
  "--port",
  "0",
  "--sqlite-path",
  sqlitePath,
  "--log-level",
  "silent",
];

/** Runs a built command to completion. */
export async function run(script: string, args: string[], input = ""): Promise<Finished> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stdout, stderr };
}

/** Starts the built server (or `command`, which starts it) and resolves with its ready line. */
export async function startServer(
  args: string[],
  command: readonly string[] = [process.execPath, "dist/server/main.js"],
): Promise<{ child: ChildProcess; ready: Record<string, unknown> }> {
  const [program = "", ...before] = command;
  const child = spawn(program, [...before, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(() => {
      throw new Error(`server exited before ready: ${stderr}`);
    }),
  ])) as [string];
  return { child, ready: JSON.parse(line) as Record<string, unknown> };
}

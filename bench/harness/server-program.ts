import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { serverFailed } from "../../lib/errors.js";

const run = promisify(execFile);
const HELP_TIMEOUT_MS = 15_000;

/** A version of the server the harness can start: its compiled main.js and the flags it takes. */
export interface ServerProgram {
  main: string;
  /** Every flag its --help lists, without the dashes. */
  flags: ReadonlySet<string>;
}

/**
 * What a compiled server says it takes, from its own --help: the harness passes an older
 * version only flags it knows. Throws ACB_SERVER_FAILED when it has no --help to read.
 */
export async function serverProgram(main: string): Promise<ServerProgram> {
  const { stdout } = await run(process.execPath, [main, "--help"], {
    timeout: HELP_TIMEOUT_MS,
  }).catch((error: { stderr?: string; message: string }) => {
    const said = (error.stderr ?? "").trim().split("\n").at(-1) || error.message;
    throw serverFailed(`${main} --help failed: ${said}`);
  });
  const flags = new Set(
    [...stdout.matchAll(/(?:^|\s)--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string),
  );
  if (!flags.has("port")) {
    throw serverFailed(`${main} --help lists no --port: not a server this harness can start`);
  }
  return { main, flags };
}

/**
 * The arguments a program takes: each `--flag` (and its value, when the next argument is not a
 * flag) kept when the program lists it, dropped otherwise; the dropped flags are named.
 */
export function argsFor(
  args: readonly string[],
  program: ServerProgram,
): { args: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] as string;
    const value = args[i + 1];
    const pair = value !== undefined && !value.startsWith("--") ? [flag, value] : [flag];
    i += pair.length - 1;
    if (program.flags.has(flag.replace(/^--/, ""))) kept.push(...pair);
    else dropped.push(flag);
  }
  return { args: kept, dropped };
}

import { isAcbError } from "./errors.js";

/** Usage mistakes and unusable input exit 2; anything else that stops a command exits 1. */
const USAGE_CODES = new Set([
  "ACB_CONFIG_INVALID",
  "ACB_USAGE",
  "ACB_RESULTS_INVALID",
  "ACB_COMPARE_INPUT",
  "ACB_COMPARE_SETUP_MISMATCH",
  "ACB_AB_VERSION",
]);

/** 130, as a shell reports a command Ctrl-C stopped. */
const INTERRUPTED_EXIT = 130;

export const exitCodeOf = (error: unknown): 1 | 2 | typeof INTERRUPTED_EXIT =>
  isAcbError(error) && error.code === "ACB_INTERRUPTED"
    ? INTERRUPTED_EXIT
    : isAcbError(error) && USAGE_CODES.has(error.code)
      ? 2
      : 1;

/**
 * The edge of every command: one line naming the problem, never a stack trace
 * (ACB_DEBUG=1 prints it for us).
 */
export function exitWithError(command: string, error: unknown): never {
  if (isAcbError(error)) {
    process.stderr.write(`${command}: ${error.code}: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${command}: ACB_UNEXPECTED: ${message.split("\n")[0]}\n`);
  }
  if (process.env.ACB_DEBUG === "1" && error instanceof Error)
    process.stderr.write(`${error.stack}\n`);
  process.exit(exitCodeOf(error));
}

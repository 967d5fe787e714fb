import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describeCause, resultsInvalid } from "../../server/errors.js";
import { LOAD_SCHEMA, LOAD_SCHEMA_VERSION, type LoadResults } from "./schema.js";

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

// Checks what every view and the compare gate read without a guard; the rest is trusted to the
// schema version, which changes whenever any of it does.
function problemWith(json: unknown): string | undefined {
  if (!isObject(json)) return "not a JSON object";
  if (json.schema !== LOAD_SCHEMA) {
    return `not a load benchmark results file (schema ${JSON.stringify(json.schema)}, expected "${LOAD_SCHEMA}")`;
  }
  if (json.version !== LOAD_SCHEMA_VERSION) {
    return `results version ${JSON.stringify(json.version)}; this tool reads version ${LOAD_SCHEMA_VERSION}`;
  }
  if (!isObject(json.options) || !Array.isArray(json.options.modes)) return "no options.modes";
  if (!isObject(json.provenance) || !isObject(json.provenance.machine)) {
    return "no provenance.machine";
  }
  if (!Array.isArray(json.runs) || !Array.isArray(json.summaries) || !Array.isArray(json.skipped)) {
    return "runs, summaries and skipped must be arrays";
  }
  const badRun = json.runs.findIndex(
    (run) =>
      !isObject(run) ||
      typeof run.mode !== "string" ||
      typeof run.round !== "number" ||
      typeof run.status !== "string" ||
      typeof run.rps !== "number" ||
      !isObject(run.generator),
  );
  return badRun >= 0 ? `runs[${badRun}] lacks mode, round, status, rps or generator` : undefined;
}

/** Reads and checks a results.json; throws ACB_RESULTS_INVALID naming the file and the problem. */
export async function readResults(file: string): Promise<LoadResults> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw resultsInvalid(file, describeCause(error));
  }
  const problem = problemWith(json);
  if (problem !== undefined) throw resultsInvalid(file, problem);
  return json as LoadResults;
}

/** A report folder stands for the results.json inside it. */
export async function resultsPath(fileOrFolder: string): Promise<string> {
  const found = await stat(fileOrFolder).catch(() => null);
  return found?.isDirectory() ? join(fileOrFolder, "results.json") : fileOrFolder;
}

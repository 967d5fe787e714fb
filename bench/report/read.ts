import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describeCause, resultsInvalid } from "../../server/errors.js";
import { MICRO_SCHEMA, MICRO_SCHEMA_VERSION, type MicroResults } from "../micro/schema.js";
import {
  REVOCATION_SCHEMA,
  REVOCATION_SCHEMA_VERSION,
  type RevocationResults,
} from "../revocation/schema.js";
import { LOAD_SCHEMA, LOAD_SCHEMA_VERSION, type LoadResults } from "./schema.js";

/** What any benchmark command writes; `schema` tells which. */
export type AnyResults = LoadResults | RevocationResults | MicroResults;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

const notArrays = (json: Json, keys: readonly string[]): string | undefined => {
  const missing = keys.filter((key) => !Array.isArray(json[key]));
  return missing.length > 0 ? `${missing.join(", ")} must be arrays` : undefined;
};

// Each checks what its views (and the compare gate) read without a guard; the rest is trusted to
// the schema version, which changes whenever any of it does.
function loadProblem(json: Json): string | undefined {
  if (!isObject(json.options) || !Array.isArray(json.options.modes)) return "no options.modes";
  const arrays = notArrays(json, ["runs", "summaries", "skipped"]);
  if (arrays !== undefined) return arrays;
  const badRun = (json.runs as unknown[]).findIndex(
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

function revocationProblem(json: Json): string | undefined {
  const { options } = json;
  if (!isObject(options) || !Array.isArray(options.modes) || !Array.isArray(options.events)) {
    return "no options.modes or options.events";
  }
  return notArrays(json, [
    "skipped",
    "background",
    "trials",
    "races",
    "summaries",
    "lagVsThroughput",
  ]);
}

function microProblem(json: Json): string | undefined {
  if (!isObject(json.options) || !Array.isArray(json.options.suites)) return "no options.suites";
  if (!isObject(json.method) || !Array.isArray(json.method.order)) return "no method.order";
  return notArrays(json, ["suites", "skipped", "requestCost"]);
}

const KINDS: Readonly<
  Record<string, { version: number; problem: (json: Json) => string | undefined }>
> = {
  [LOAD_SCHEMA]: { version: LOAD_SCHEMA_VERSION, problem: loadProblem },
  [REVOCATION_SCHEMA]: { version: REVOCATION_SCHEMA_VERSION, problem: revocationProblem },
  [MICRO_SCHEMA]: { version: MICRO_SCHEMA_VERSION, problem: microProblem },
};

function problemOf(json: Json): string | undefined {
  const { schema } = json;
  const kind = typeof schema === "string" && Object.hasOwn(KINDS, schema) ? KINDS[schema] : null;
  if (!kind) {
    const known = Object.keys(KINDS).map((name) => JSON.stringify(name));
    return `unknown schema ${JSON.stringify(schema)}; expected one of ${known.join(", ")}`;
  }
  if (json.version !== kind.version) {
    return `results version ${JSON.stringify(json.version)}; this tool reads version ${kind.version}`;
  }
  if (!isObject(json.provenance) || !isObject(json.provenance.machine)) {
    return "no provenance.machine";
  }
  return kind.problem(json);
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw resultsInvalid(file, describeCause(error));
  }
}

/**
 * Reads and checks the results.json of any benchmark command; throws ACB_RESULTS_INVALID naming
 * the file and the problem, an unknown schema included.
 */
export async function readAnyResults(file: string): Promise<AnyResults> {
  const json = await readJson(file);
  if (!isObject(json)) throw resultsInvalid(file, "not a JSON object");
  const problem = problemOf(json);
  if (problem !== undefined) throw resultsInvalid(file, problem);
  return json as unknown as AnyResults;
}

/** Reads and checks a load benchmark's results.json; throws ACB_RESULTS_INVALID naming the file. */
export async function readResults(file: string): Promise<LoadResults> {
  const json = await readJson(file);
  if (!isObject(json)) throw resultsInvalid(file, "not a JSON object");
  if (json.schema !== LOAD_SCHEMA) {
    throw resultsInvalid(
      file,
      `not a load benchmark results file (schema ${JSON.stringify(json.schema)}, expected "${LOAD_SCHEMA}")`,
    );
  }
  const problem = problemOf(json);
  if (problem !== undefined) throw resultsInvalid(file, problem);
  return json as unknown as LoadResults;
}

/** A report folder stands for the results.json inside it. */
export async function resultsPath(fileOrFolder: string): Promise<string> {
  const found = await stat(fileOrFolder).catch(() => null);
  return found?.isDirectory() ? join(fileOrFolder, "results.json") : fileOrFolder;
}

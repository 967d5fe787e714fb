import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describeCause, resultsInvalid } from "../../lib/errors.js";
import type { ResultViews } from "./record.js";

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

export const notArrays = (json: Json, keys: readonly string[]): string | undefined => {
  const missing = keys.filter((key) => !Array.isArray(json[key]));
  return missing.length > 0 ? `${missing.join(", ")} must be arrays` : undefined;
};

/**
 * One kind of results (load, micro, revocation, …), described once in its own folder and listed
 * in bench/kinds.ts: how its results.json is recognised, checked, upgraded and viewed.
 */
export interface ResultKind<R> {
  schema: string;
  version: number;
  /** How the kind is named in messages: "load benchmark". */
  title: string;
  /**
   * What the views (and the gates) would read without a guard and find missing; the rest is
   * trusted to the schema version, which changes whenever any of it does.
   */
  problem(json: Json): string | undefined;
  /** upgrades[v] turns a version-v file into version v + 1: old results always render. */
  upgrades?: Readonly<Record<number, (json: Json) => Json>>;
  views: ResultViews<R>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of kinds holds every results type at once.
export type AnyKind = ResultKind<any>;

/** The version-v file of `kind` brought up to the current version, or why it cannot be. */
function upgraded(kind: AnyKind, json: Json): Json | string {
  let current = json;
  for (let v = current.version; v !== kind.version; v = current.version) {
    const step = typeof v === "number" ? kind.upgrades?.[v] : undefined;
    if (!step) {
      return `results version ${JSON.stringify(json.version)}; this tool reads version ${kind.version}`;
    }
    current = step(current);
  }
  return current;
}

/** A parsed results object of `kind` brought up to its current version; throws when it cannot be. */
export function upgradeResults<R>(kind: ResultKind<R>, json: Json): R {
  const current = upgraded(kind, json);
  if (typeof current === "string") throw resultsInvalid(`a ${kind.title} results object`, current);
  return current as R;
}

function checked(kind: AnyKind, json: Json): Json | string {
  const current = upgraded(kind, json);
  if (typeof current === "string") return current;
  if (!isObject(current.provenance) || !isObject(current.provenance.machine)) {
    return "no provenance.machine";
  }
  return kind.problem(current) ?? current;
}

async function readJsonObject(file: string): Promise<Json> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw resultsInvalid(file, describeCause(error));
  }
  if (!isObject(json)) throw resultsInvalid(file, "not a JSON object");
  return json;
}

/**
 * Reads the results.json of any of `kinds`, upgraded to its current version; throws
 * ACB_RESULTS_INVALID naming the file and the problem, an unknown schema included.
 */
export async function readAnyResults<K extends AnyKind>(
  file: string,
  kinds: readonly K[],
): Promise<{ kind: K; results: unknown }> {
  const json = await readJsonObject(file);
  const kind = kinds.find((k) => k.schema === json.schema);
  if (!kind) {
    const known = kinds.map((k) => JSON.stringify(k.schema));
    throw resultsInvalid(
      file,
      `unknown schema ${JSON.stringify(json.schema)}; expected one of ${known.join(", ")}`,
    );
  }
  const results = checked(kind, json);
  if (typeof results === "string") throw resultsInvalid(file, results);
  return { kind, results };
}

/** Reads a results.json that must be of `kind`; throws ACB_RESULTS_INVALID naming the file. */
export async function readResults<R>(file: string, kind: ResultKind<R>): Promise<R> {
  const json = await readJsonObject(file);
  if (json.schema !== kind.schema) {
    throw resultsInvalid(
      file,
      `not a ${kind.title} results file (schema ${JSON.stringify(json.schema)}, expected "${kind.schema}")`,
    );
  }
  const results = checked(kind, json);
  if (typeof results === "string") throw resultsInvalid(file, results);
  return results as R;
}

/** A report folder stands for the results.json inside it. */
export async function resultsPath(fileOrFolder: string): Promise<string> {
  const found = await stat(fileOrFolder).catch(() => null);
  return found?.isDirectory() ? join(fileOrFolder, "results.json") : fileOrFolder;
}

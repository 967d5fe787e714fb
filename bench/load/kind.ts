import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { LOAD_SCHEMA, LOAD_SCHEMA_VERSION, type LoadResults } from "./schema.js";
import { loadViews } from "./views.js";

function problem(json: Json): string | undefined {
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

export const loadKind: ResultKind<LoadResults> = {
  schema: LOAD_SCHEMA,
  version: LOAD_SCHEMA_VERSION,
  title: "load benchmark",
  problem,
  views: loadViews,
};

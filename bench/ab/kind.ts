import { withUnnamedMachine } from "../report/provenance.js";
import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { AB_SCHEMA, AB_SCHEMA_VERSION, type AbResults } from "./schema.js";
import { abViews } from "./views.js";

function problem(json: Json): string | undefined {
  if (!isObject(json.options) || typeof json.options.base !== "string") return "no options.base";
  const arrays = notArrays(json, ["versions"]);
  if (arrays !== undefined) return arrays;
  if (json.gate !== null && !(isObject(json.gate) && Array.isArray(json.gate.changes))) {
    return "gate lacks its changes";
  }
  return undefined;
}

export const abKind: ResultKind<AbResults> = {
  schema: AB_SCHEMA,
  version: AB_SCHEMA_VERSION,
  title: "A/B run",
  problem,
  upgrades: {
    // Version 1 did not name the machine.
    1: (json) => ({ ...withUnnamedMachine(json), version: 2 }),
  },
  views: abViews,
};

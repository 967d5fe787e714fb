import { withUnnamedMachine } from "../report/provenance.js";
import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { MICRO_SCHEMA, MICRO_SCHEMA_VERSION, type MicroResults } from "./schema.js";
import { microViews } from "./views.js";

function problem(json: Json): string | undefined {
  if (!isObject(json.options) || !Array.isArray(json.options.suites)) return "no options.suites";
  if (!isObject(json.method) || !Array.isArray(json.method.order)) return "no method.order";
  return notArrays(json, ["suites", "skipped", "requestCost"]);
}

export const microKind: ResultKind<MicroResults> = {
  schema: MICRO_SCHEMA,
  version: MICRO_SCHEMA_VERSION,
  title: "micro benchmark",
  problem,
  upgrades: {
    1: (json) => ({ ...json, version: 2 }),
    // Version 2 did not record what else the machine did.
    2: (json) => ({
      ...json,
      version: 3,
      provenance: { ...(json.provenance as Json), machineLoad: null },
    }),
    // Version 3 did not weigh cache entries.
    3: (json) => ({ ...json, version: 4, footprint: [] }),
    4: (json) => ({ ...json, version: 5 }),
    5: (json) => ({ ...json, version: 6 }),
    // Version 6 did not name the machine.
    6: (json) => ({ ...withUnnamedMachine(json), version: 7 }),
  },
  views: microViews,
};

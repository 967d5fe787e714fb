import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { REVOCATION_SCHEMA, REVOCATION_SCHEMA_VERSION, type RevocationResults } from "./schema.js";
import { revocationViews } from "./views.js";

function problem(json: Json): string | undefined {
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

export const revocationKind: ResultKind<RevocationResults> = {
  schema: REVOCATION_SCHEMA,
  version: REVOCATION_SCHEMA_VERSION,
  title: "revocation benchmark",
  problem,
  upgrades: {
    // Version 1 probed until the first 401 only: no exposure, no resurrections, no window.
    1: (json) => ({
      ...json,
      version: 2,
      options: { ...(json.options as Json), resurrectionWindowMs: 0, serverArgs: [] },
      trials: (json.trials as Json[]).map((trial) => ({
        ...trial,
        instances: (trial.instances as Json[]).map((probe) => ({
          ...probe,
          exposureMs: null,
          resurrections: null,
        })),
      })),
    }),
  },
  views: revocationViews,
};

import { withUnnamedMachine } from "../report/provenance.js";
import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { REVOCATION_DEFAULTS } from "./options.js";
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
    // Version 2 counted each race over all instances, and loaded them in a closed loop. Its
    // totals stand for both roles, as its tables showed them; they carry no exposure.
    2: (json) => ({
      ...json,
      version: 3,
      provenance: { ...(json.provenance as Json), machineLoad: null },
      options: { ...(json.options as Json), loadRate: 0 },
      races: (json.races as Json[]).map(({ requestsAfter, staleAfter, ...race }) => {
        const count = { requestsAfter, staleAfter, exposureMs: 0, resurrections: 0 };
        return { ...race, revoking: count, other: count };
      }),
      background: (json.background as Json[]).map((load) => ({
        ...load,
        offeredRate: null,
        p99Us: null,
      })),
    }),
    // Version 3 measured opaque tokens only.
    3: (json) => ({
      ...json,
      version: 4,
      options: {
        ...(json.options as Json),
        tokenTtl: REVOCATION_DEFAULTS.tokenTtl,
        jwtAlg: REVOCATION_DEFAULTS.jwtAlg,
        jwtVersionCache: REVOCATION_DEFAULTS.jwtVersionCache,
      },
      trials: (json.trials as Json[]).map((trial) => ({
        ...trial,
        instances: (trial.instances as Json[]).map((probe) => ({
          ...probe,
          refusedBeforeExpiry: null,
        })),
      })),
    }),
    // Version 4 ran against one Redis.
    4: (json) => ({
      ...json,
      version: 5,
      options: { ...(json.options as Json), redisCluster: [] },
    }),
    // Version 5 did not name the machine.
    5: (json) => ({ ...withUnnamedMachine(json), version: 6 }),
    // Version 6 probed our own servers only.
    6: (json) => ({
      ...json,
      version: 7,
      options: {
        ...(json.options as Json),
        probes: [],
        api: null,
        credentials: null,
        promiseMs: 0,
      },
    }),
  },
  views: revocationViews,
};

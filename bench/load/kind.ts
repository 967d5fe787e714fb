import { UNNAMED_TARGET } from "../harness/targets.js";
import { withUnnamedMachine } from "../report/provenance.js";
import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { LOAD_DEFAULTS } from "./options.js";
import { LOAD_SCHEMA, LOAD_SCHEMA_VERSION, type LoadResults } from "./schema.js";
import { loadViews } from "./views.js";

function problem(json: Json): string | undefined {
  if (!isObject(json.options) || !Array.isArray(json.options.modes)) return "no options.modes";
  const arrays = notArrays(json, ["runs", "summaries", "skipped", "floods"]);
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
  upgrades: {
    // Version 1 had no login-flood scenario: no run had a variant or a flood.
    1: (json) => ({
      ...json,
      version: 2,
      // Version 1 rotated the order (A B C, B C A …): no seed.
      options: {
        ...(json.options as Json),
        orderSeed: null,
        floodConnections: LOAD_DEFAULTS.floodConnections,
        floodRate: LOAD_DEFAULTS.floodRate,
      },
      runs: (json.runs as Json[]).map((run) => ({
        ...run,
        variant: null,
        flood: null,
        settings: null,
      })),
      floods: [],
    }),
    // Version 2 measured in a closed loop only.
    2: (json) => ({
      ...json,
      version: 3,
      provenance: { ...(json.provenance as Json), machineLoad: null },
      options: {
        ...(json.options as Json),
        rate: null,
        capacity: false,
        sloP99Ms: LOAD_DEFAULTS.sloP99Ms,
        arrivals: LOAD_DEFAULTS.arrivals,
        maxInFlight: null,
        pinCpus: "off",
      },
      runs: (json.runs as Json[]).map((run) => ({
        ...run,
        openLoop: null,
        capacity: null,
        otherLoad: null,
        rss: null,
        pinned: null,
      })),
      pinning: [],
    }),
    // Version 3 counted the server's CPU alone and did not look at what the cache held.
    3: (json) => ({
      ...json,
      version: 4,
      entryWeights: null,
      stampedes: [],
      runs: (json.runs as Json[]).map((run) => {
        const server = run.server as Json | null;
        const settings = run.settings as Json | null;
        const cpu = server ? Number(server.cpuSeconds) : 0;
        const perRequest = server ? Number(server.cpuUsPerRequest) : 0;
        return {
          ...run,
          server: server && {
            ...server,
            requests: perRequest > 0 ? Math.round((cpu * 1e6) / perRequest) : 0,
            cacheLocalEntries: null,
            sessionLookupMs: null,
            addedDelayMs: null,
          },
          // Servers before version 4 neither coalesced misses nor jittered TTLs.
          settings: settings && { ...settings, coalesce: "off", cacheTtlJitter: 0 },
          system: null,
          cache: null,
          timeline: null,
        };
      }),
    }),
    // Version 4 ran one version of the server.
    4: (json) => ({
      ...json,
      version: 5,
      options: { ...(json.options as Json), serverArgs: [] },
      versions: [],
      runs: (json.runs as Json[]).map((run) => ({ ...run, version: null })),
    }),
    // Version 5 ran opaque tokens only.
    5: (json) => ({
      ...json,
      version: 6,
      options: {
        ...(json.options as Json),
        jwtAlg: LOAD_DEFAULTS.jwtAlg,
        jwtVersionCache: LOAD_DEFAULTS.jwtVersionCache,
      },
      revocation: null,
      runs: (json.runs as Json[]).map((run) => {
        const settings = run.settings as Json | null;
        return { ...run, settings: settings && { ...settings, jwt: null } };
      }),
    }),
    // Version 6 ran against one Redis.
    6: (json) => ({
      ...json,
      version: 7,
      options: { ...(json.options as Json), redisCluster: [] },
    }),
    // Version 7 injected no fault and did not count a bin's failed answers.
    7: (json) => ({
      ...json,
      version: 8,
      options: { ...(json.options as Json), fault: null },
      faults: [],
      runs: (json.runs as Json[]).map((run) => ({
        ...run,
        fault: null,
        timeline: (run.timeline as Json[] | null)?.map((bin) => ({ ...bin, non2xx: null })) ?? null,
      })),
    }),
    // Version 8 did not name the machine.
    8: (json) => ({ ...withUnnamedMachine(json), version: 9 }),
    // Version 9 took one unnamed target, and compared every mode with none by that name.
    9: (json) => {
      const { target, ...options } = json.options as Json;
      const renamed = (value: unknown) =>
        JSON.parse(JSON.stringify(value ?? []).replace(/([vV])sNone/g, "$1sBaseline")) as Json[];
      return {
        ...json,
        version: 10,
        options: {
          ...options,
          targets:
            typeof target === "string"
              ? [{ name: UNNAMED_TARGET, url: target, api: null, metrics: null, pid: null }]
              : [],
          reference: null,
        },
        runs: (json.runs as Json[]).map((run) => ({ ...run, targetCpu: null })),
        summaries: renamed(json.summaries),
        pinning: renamed(json.pinning),
      };
    },
  },
  views: loadViews,
};

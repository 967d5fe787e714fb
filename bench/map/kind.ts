import { withUnnamedMachine } from "../report/provenance.js";
import { isObject, type Json, notArrays, type ResultKind } from "../report/read.js";
import { MAP_SCHEMA, MAP_SCHEMA_VERSION, type MapResults } from "./schema.js";
import { mapViews } from "./views.js";

function problem(json: Json): string | undefined {
  if (!isObject(json.options) || !Array.isArray(json.options.distances)) {
    return "no options.distances";
  }
  const arrays = notArrays(json, ["points", "crossovers", "exposure"]);
  if (arrays !== undefined) return arrays;
  const bad = (json.points as unknown[]).findIndex(
    (point) => !isObject(point) || !isObject(point.distance) || !Array.isArray(point.cells),
  );
  return bad >= 0 ? `points[${bad}] lacks its distance or cells` : undefined;
}

export const mapKind: ResultKind<MapResults> = {
  schema: MAP_SCHEMA,
  version: MAP_SCHEMA_VERSION,
  title: "store-distance map",
  problem,
  upgrades: {
    // Version 1 did not name the machine.
    1: (json) => ({ ...withUnnamedMachine(json), version: 2 }),
  },
  views: mapViews,
};

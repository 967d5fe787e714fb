import type { LoadOptions, LoadResults } from "../load/index.js";

// Options that change what is measured. The rest (out, json, URLs of the services, runs, quick)
// change where results go, where services are found or how many samples there are: not the setup.
const SETUP_OPTIONS = [
  "scenario",
  "store",
  "targets",
  "modes",
  "connections",
  "duration",
  "warmup",
  "users",
  "originLatencyMs",
  "cacheTtl",
  "cacheMax",
  "serverArgs",
] as const satisfies readonly (keyof LoadOptions)[];

const shown = (value: unknown): string =>
  value === undefined
    ? "absent"
    : Array.isArray(value)
      ? value.map((item) => (typeof item === "object" ? JSON.stringify(item) : item)).join(",")
      : String(value);

/** Every field of machine and configuration in which two results differ, as "field: a → b". */
export function setupDifferences(baseline: LoadResults, current: LoadResults): string[] {
  const a = baseline.provenance;
  const b = current.provenance;
  const fields: [string, unknown, unknown][] = [
    ["machine.cpuModel", a.machine.cpuModel, b.machine.cpuModel],
    ["machine.cores", a.machine.cores, b.machine.cores],
    ["machine.memoryBytes", a.machine.memoryBytes, b.machine.memoryBytes],
    ["machine.arch", a.machine.arch, b.machine.arch],
    ...SETUP_OPTIONS.map((key): [string, unknown, unknown] => [
      `options.${key}`,
      baseline.options[key],
      current.options[key],
    ]),
    ["node", a.node, b.node],
    ["passwordCost", a.passwordCost, b.passwordCost],
    ...[...new Set([...Object.keys(a.packages), ...Object.keys(b.packages)])].map(
      (name): [string, unknown, unknown] => [
        `packages.${name}`,
        a.packages[name],
        b.packages[name],
      ],
    ),
    ...(["redis", "postgres", "sqlite"] as const).map((name): [string, unknown, unknown] => [
      `services.${name}`,
      a.services?.[name] ?? null,
      b.services?.[name] ?? null,
    ]),
  ];
  return fields
    .filter(([, x, y]) => shown(x) !== shown(y))
    .map(([field, x, y]) => `${field}: ${shown(x)} → ${shown(y)}`);
}

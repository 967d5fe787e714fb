import { join, relative } from "node:path";
import { abVersionUnusable } from "../../lib/errors.js";
import {
  type LoadOptions,
  loadOptionsWith,
  type Progress,
  runLoadBenchmark,
  type ServerVersion,
} from "../load/index.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import { abGate } from "./gate.js";
import { type AbCommandOptions, DERIVED } from "./options.js";
import { AB_SCHEMA, AB_SCHEMA_VERSION, type AbResults } from "./schema.js";
import { prepareVersion } from "./versions.js";
import { abViews } from "./views.js";

export type AbProgress = { kind: "note"; message: string } | { kind: "load"; event: Progress };

/** The load benchmark both versions run in: every flag the user gave, the rest its defaults. */
function loadOptionsOf(
  options: AbCommandOptions,
  given: ReadonlySet<keyof AbCommandOptions>,
  out: string,
): LoadOptions {
  const derived = Object.fromEntries(
    DERIVED.filter((key) => given.has(key)).map((key) => [key, options[key]]),
  );
  return loadOptionsWith({
    ...derived,
    modes: options.modes,
    store: options.store,
    runs: options.runs,
    users: options.users,
    rate: options.rate,
    capacity: options.capacity,
    sloP99Ms: options.sloP99Ms,
    orderSeed: options.orderSeed,
    // Like the harness's own flags, they go to each version whose server takes them.
    serverArgs: options.serverArgs,
    redisUrl: options.redisUrl,
    databaseUrl: options.databaseUrl,
    out,
  });
}

/** Each side's extra flags must be flags its own server takes: a typo would fail every run. */
function checkExtraArgs(version: ServerVersion): void {
  for (const arg of version.extraArgs) {
    if (arg.startsWith("--") && !version.program.flags.has(arg.slice(2))) {
      throw abVersionUnusable(
        `--${version.name}-server-args: ${arg} is not a flag of the ${version.name}'s server (see its --help)`,
      );
    }
  }
}

/**
 * Both versions made ready (built once per commit), then one load benchmark whose arms are every
 * (mode, version) pair, interleaved per round in a seeded random order and kept whole under
 * load/; then the gate over the rounds' pairs. A version that cannot be had is refused before
 * any run, in one line.
 */
export async function runAb(
  options: AbCommandOptions,
  given: ReadonlySet<keyof AbCommandOptions>,
  progress: (event: AbProgress) => void,
  signal: AbortSignal,
): Promise<{ results: AbResults; folder: ReportFolder }> {
  const note = (message: string) => progress({ kind: "note", message });
  const versions: ServerVersion[] = [];
  for (const spec of [
    { name: "base", source: options.base, extraArgs: options.baseServerArgs },
    { name: "candidate", source: options.candidate, extraArgs: options.candidateServerArgs },
  ] as const) {
    const version = await prepareVersion({ ...spec, extraArgs: [...spec.extraArgs] }, signal, note);
    checkExtraArgs(version);
    note(`${version.name}: ${version.source} (${version.commit ?? "no commit"})`);
    versions.push(version);
  }
  const { json: _, markdown: __, ...recorded } = options;
  const folder = await createReportFolder(options.out, "ab");
  const results: AbResults = {
    schema: AB_SCHEMA,
    version: AB_SCHEMA_VERSION,
    status: "running",
    options: recorded,
    provenance: await collectProvenance({
      services: { redis: null, postgres: null, sqlite: null },
      passwordCost: null,
    }),
    versions: versions.map(({ program: _, ...info }) => ({ ...info, droppedFlags: [] })),
    load: null,
    gate: null,
  };
  await recordBenchmark(
    { folder, results, signal, views: abViews, cleanup: async () => {} },
    async (save) => {
      const load = await runLoadBenchmark(
        loadOptionsOf(options, given, join(folder.dir, "load")),
        (event) => progress({ kind: "load", event }),
        signal,
        {},
        versions,
      );
      const ran = load.results;
      results.load = relative(folder.dir, load.folder.dir);
      results.versions = ran.versions;
      results.provenance.services = ran.provenance.services;
      results.provenance.passwordCost = ran.provenance.passwordCost;
      for (const key of DERIVED) results.options[key] = ran.options[key];
      results.options.orderSeed = ran.options.orderSeed;
      const side = (index: number) => {
        const version = ran.versions[index];
        return {
          label: version ? `${version.source}${extraOf(version.extraArgs)}` : "?",
          commit: version?.commit ?? null,
          createdAt: ran.provenance.createdAt,
        };
      };
      results.gate = abGate(
        ran,
        { ...options, allowDifferentSetup: false },
        { base: side(0), candidate: side(1) },
      );
      await save();
    },
  );
  return { results, folder };
}

const extraOf = (args: readonly string[]) => (args.length > 0 ? ` with ${args.join(" ")}` : "");

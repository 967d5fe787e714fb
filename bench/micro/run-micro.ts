import { describeCause } from "../../lib/errors.js";
import { formatCost } from "../../server/auth/password.js";
import { collectProvenance } from "../report/provenance.js";
import { recordBenchmark } from "../report/record.js";
import { createReportFolder, type ReportFolder } from "../report/write.js";
import { type Fixtures, openFixtures, type Service, USERS } from "./fixtures.js";
import { MIN_SAMPLES, MIN_WARMUP_SAMPLES, runSuite, type SuiteSpec, TIMER } from "./measure.js";
import { requestCosts } from "./request-cost.js";
import {
  type LoadReference,
  MICRO_SCHEMA,
  MICRO_SCHEMA_VERSION,
  type MicroOptions,
  type MicroResults,
  type MicroTask,
  type SuiteBudget,
  type SuiteName,
} from "./schema.js";
import { cacheSuite, TOKENS_PER_USER } from "./suites/cache.js";
import { jwtSuite } from "./suites/jwt.js";
import { metricsSuite } from "./suites/metrics.js";
import { passwordSuite } from "./suites/password.js";
import { requestSuite } from "./suites/request.js";
import { originSuite, storeSuite } from "./suites/store.js";
import { tokenSuite } from "./suites/token.js";
import { microViews } from "./views.js";

export type MicroProgress =
  | { kind: "note"; message: string }
  | { kind: "task"; suite: SuiteName; task: MicroTask; done: number; total: number };

export interface MicroBenchmark {
  results: MicroResults;
  folder: ReportFolder;
}

const NEEDS: Record<SuiteName, Service[]> = {
  token: [],
  cache: ["redis"],
  store: ["sqlite", "postgres"],
  request: ["sqlite", "redis"],
  jwt: [],
  origin: ["sqlite", "postgres"],
  metrics: [],
  password: [],
};

function buildSuite(name: SuiteName, fixtures: Fixtures, options: MicroOptions) {
  switch (name) {
    case "token":
      return Promise.resolve(tokenSuite());
    case "cache":
      return cacheSuite(fixtures);
    case "store":
      return Promise.resolve(storeSuite(fixtures));
    case "request":
      return requestSuite(fixtures);
    case "jwt":
      return Promise.resolve(jwtSuite());
    case "origin":
      return Promise.resolve(originSuite(fixtures, options.originLatencyMs, options.time));
    case "metrics":
      return Promise.resolve(metricsSuite());
    case "password":
      return passwordSuite(options.passwordCost);
  }
}

const budgetOf = (spec: SuiteSpec, options: MicroOptions): SuiteBudget => ({
  timeMs: options.time,
  minSamples: MIN_SAMPLES,
  warmupMs: options.warmup,
  minWarmupSamples: options.warmup > 0 ? MIN_WARMUP_SAMPLES : 0,
  ...spec.budget,
});

async function provenanceOf(fixtures: Fixtures, options: MicroOptions) {
  return collectProvenance({
    services: {
      redis: fixtures.redis?.version ?? null,
      postgres: fixtures.postgresVersion,
      sqlite: fixtures.sqlite ? await fixtures.sqlite.store.serverVersion() : null,
    },
    passwordCost: options.suites.includes("password") ? formatCost(options.passwordCost) : null,
  });
}

/**
 * Runs the chosen suites in one process, in the order of SUITES, over the server's real modules,
 * and writes reports/<timestamp>-micro/. A task that fails is recorded and the rest still run;
 * an aborted signal stops the current task, and the results so far are written.
 */
export async function runMicroBenchmark(
  options: MicroOptions,
  progress: (event: MicroProgress) => void,
  signal: AbortSignal,
  loadReference: LoadReference | null = null,
): Promise<MicroBenchmark> {
  const needs = new Set(options.suites.flatMap((suite) => NEEDS[suite]));
  const fixtures = await openFixtures(needs, options);
  let results: MicroResults;
  let folder: ReportFolder;
  try {
    results = {
      schema: MICRO_SCHEMA,
      version: MICRO_SCHEMA_VERSION,
      status: "running",
      options,
      provenance: await provenanceOf(fixtures, options),
      method: { process: "single", order: options.suites, timer: TIMER, gcBeforeEachTask: true },
      setup: {
        users: USERS,
        tokensPerUser: TOKENS_PER_USER,
        redisKeyPrefix: fixtures.redis ? fixtures.redisKeyPrefix : null,
        postgresSchema: fixtures.postgresSchema,
      },
      suites: [],
      skipped: [],
      requestCost: [],
      footprint: [],
      loadReference,
    };
    folder = await createReportFolder(options.out, "micro");
  } catch (error) {
    await fixtures.close();
    throw error;
  }
  const recording = {
    folder,
    results,
    signal,
    views: microViews,
    cleanup: () => fixtures.close(),
  };
  await recordBenchmark(recording, async (save) => {
    for (const name of options.suites) {
      if (signal.aborted) break;
      const spec = await buildSuite(name, fixtures, options).catch((error: unknown) => {
        const reason = describeCause(error);
        results.skipped.push({ suite: name, what: "every task", reason, failed: true });
        progress({ kind: "note", message: `the ${name} suite could not start: ${reason}` });
        return null;
      });
      if (!spec) continue;
      try {
        for (const { what, reason } of spec.skipped ?? []) {
          results.skipped.push({ suite: name, what, reason, failed: false });
          progress({ kind: "note", message: `skipping ${what} (${name} suite): ${reason}` });
        }
        if (spec.tasks.length === 0) continue;
        const budget = budgetOf(spec, options);
        progress({
          kind: "note",
          message: `${name}: warming up ${spec.tasks.length} tasks, then measuring each for ${budget.timeMs} ms`,
        });
        let done = 0;
        const suite = await runSuite(spec, budget, signal, (task) => {
          done += 1;
          progress({ kind: "task", suite: name, task, done, total: spec.tasks.length });
        });
        results.suites.push(suite);
        results.requestCost = requestCosts(results.suites);
        if (spec.footprint && !signal.aborted) {
          progress({ kind: "note", message: `${name}: weighing cache entries` });
          const weighed = await spec.footprint().catch((error: unknown) => {
            const reason = describeCause(error);
            results.skipped.push({ suite: name, what: "entry footprint", reason, failed: true });
            return [];
          });
          results.footprint.push(...weighed);
        }
      } finally {
        await spec.close?.();
      }
      await save();
    }
  });
  return { results, folder };
}

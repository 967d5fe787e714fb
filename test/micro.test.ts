import { copyFile, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runBenchmarkCommand } from "../bench/harness/command.js";
import type { LoadResults } from "../bench/load/schema.js";
import { microCommand } from "../bench/micro/command.js";
import { runSuite } from "../bench/micro/measure.js";
import { MICRO_DEFAULTS, microCommandOptions } from "../bench/micro/options.js";
import { renderMicroMarkdown, renderMicroTables } from "../bench/micro/render.js";
import { requestCosts } from "../bench/micro/request-cost.js";
import { runMicroBenchmark } from "../bench/micro/run-micro.js";
import {
  MICRO_SCHEMA,
  MICRO_SCHEMA_VERSION,
  type MicroOptions,
  type MicroResults,
  type MicroTask,
  type SuiteName,
} from "../bench/micro/schema.js";
import { latestLoadReference } from "../bench/references.js";
import { services, TEST_COST } from "./helpers/app.js";

const { redisUrl, databaseUrl } = services();
const UNREACHABLE_POSTGRES = "postgres://postgres@127.0.0.1:1/postgres";

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "acb-micro-"));
});
afterAll(() => rm(out, { recursive: true, force: true }));

/** A run short enough for a test: what is checked is the path taken, not its speed. */
function quick(suites: SuiteName[], more: Partial<MicroOptions> = {}): MicroOptions {
  return {
    ...MICRO_DEFAULTS,
    suites,
    time: 20,
    warmup: 5,
    passwordCost: TEST_COST,
    redisUrl: redisUrl ?? MICRO_DEFAULTS.redisUrl,
    databaseUrl: databaseUrl ?? UNREACHABLE_POSTGRES,
    out,
    ...more,
  };
}

const run = (options: MicroOptions) =>
  runMicroBenchmark(options, () => {}, new AbortController().signal);

function taskOf(results: MicroResults, id: string): MicroTask {
  const task = results.suites.flatMap((suite) => suite.tasks).find((t) => t.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task;
}

const completed = (task: MicroTask) => [task.id, task.state, task.error];

async function commandCalls(url: string): Promise<Map<string, number>> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    const text = await client.info("commandstats");
    return new Map(
      [...text.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, calls]) => [
        name as string,
        Number(calls),
      ]),
    );
  } finally {
    client.disconnect();
  }
}

async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const client = new Redis(url, { lazyConnect: true });
  await client.connect();
  try {
    return await client.keys(`${prefix}*`);
  } finally {
    client.disconnect();
  }
}

describe("micro options", () => {
  it("defaults to every suite, in the order they run whatever order they are given in", () => {
    expect(microCommandOptions([], {})).toEqual(MICRO_DEFAULTS);
    expect(microCommandOptions(["--suite", "password,token"], {}).suites).toEqual([
      "token",
      "password",
    ]);
    expect(microCommandOptions(["--time", "200", "--json"], {})).toMatchObject({
      time: 200,
      json: true,
    });
  });

  it.each([
    [["--suite", "token,disk"], "--suite must be a comma-separated list"],
    [["--time", "0"], "--time must be an integer from 1"],
    [["--password-cost", "ln=99"], "--password-cost must look like ln=15,r=8,p=3"],
    [["--bogus"], "Unknown option '--bogus'"],
  ])("rejects %j with a line naming the flag", (argv, message) => {
    expect(() => microCommandOptions(argv, {})).toThrow(
      expect.objectContaining({
        code: "ACB_CONFIG_INVALID",
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe("a suite", () => {
  it("keeps a failing task as data and still measures the others", async () => {
    const suite = await runSuite(
      {
        name: "token",
        title: "test",
        notes: [],
        tasks: [
          { id: "ok", name: "ok", async: false, call: () => {} },
          {
            id: "broken",
            name: "broken",
            async: true,
            call: async () => {
              throw new Error("no such path");
            },
          },
          { id: "after", name: "after", async: false, batch: 10, call: () => {} },
        ],
      },
      { timeMs: 5, minSamples: 4, warmupMs: 0, minWarmupSamples: 1 },
      new AbortController().signal,
      () => {},
    );
    expect(suite.tasks.map((task) => [task.id, task.state, task.error])).toEqual([
      ["ok", "completed", null],
      ["broken", "errored", "no such path"],
      ["after", "completed", null],
    ]);
    expect(suite.tasks[2]?.stats?.calls).toBe((suite.tasks[2]?.stats?.samples ?? 0) * 10);
  });
});

describe("the in-process suites", () => {
  let results: MicroResults;
  let dir: string;
  beforeAll(async () => {
    ({
      results,
      folder: { dir },
    } = await run(
      quick(["token", "store", "origin", "metrics", "password"], { originLatencyMs: 2 }),
    ));
  }, 60_000);

  it("runs the token functions, the SQLite store and scrypt, each checking what it got", () => {
    for (const id of [
      "token.generate",
      "token.header",
      "token.syntax",
      "token.sha256",
      "sqlite.find-hit",
      "sqlite.find-miss",
      "password.verify",
      "password.verify-load-users",
      "metrics.request",
      "metrics.prom-inc",
      "metrics.scrape",
    ]) {
      expect(completed(taskOf(results, id))).toEqual([id, "completed", null]);
      expect(taskOf(results, id).stats?.calls).toBeGreaterThan(0);
    }
    expect(taskOf(results, "token.sha256").batch).toBeGreaterThan(1);
  });

  it("waits the origin latency on every lookup, as withOriginLatency does", () => {
    // Timers fire on the event loop's cached clock, so a single wait may look a little short.
    expect(taskOf(results, "sqlite.find-hit-origin").stats?.meanUs).toBeGreaterThanOrEqual(1800);
    expect(taskOf(results, "sqlite.find-hit-origin").stats?.minUs).toBeGreaterThanOrEqual(1000);
    expect(taskOf(results, "sqlite.find-hit").stats?.meanUs).toBeLessThan(1000);
  });

  it("writes results.json and report.md with the load benchmark's provenance block", async () => {
    const written = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as MicroResults;
    expect(written).toMatchObject({
      schema: MICRO_SCHEMA,
      version: MICRO_SCHEMA_VERSION,
      status: "complete",
      method: { process: "single", order: ["token", "store", "origin", "metrics", "password"] },
    });
    expect(Object.keys(written.provenance).sort()).toEqual(
      [
        "createdAt",
        "git",
        "machine",
        "machineLoad",
        "node",
        "packages",
        "passwordCost",
        "services",
        "tool",
      ].sort(),
    );
    expect(written.provenance.passwordCost).toBe("ln=4,r=8,p=1");
    // Settled at the end: the load average then, and what else was busy throughout.
    expect(written.provenance.machineLoad?.loadAverageEnd).toEqual(expect.any(Number));
    expect(Array.isArray(written.provenance.machineLoad?.busiestOthers)).toBe(true);
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain("| load average (1 min) |");
    expect(written.provenance.packages.tinybench).toMatch(/^6\./);
    expect(written.provenance.services.sqlite).toMatch(/^SQLite /);
    expect(await readlink(join(out, "latest"))).toBe(dir.split("/").at(-1));
    const markdown = await readFile(join(dir, "report.md"), "utf8");
    expect(markdown).toContain("## token: token handling");
    expect(markdown).toContain("## Method");
    expect(markdown).toContain("## Provenance");
  });

  it("prints one table per suite, fastest first, within 100 columns", () => {
    const text = renderMicroTables(results);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    for (const title of ["token:", "store:", "origin:", "password:"]) expect(text).toContain(title);
    const token = results.suites.find((suite) => suite.name === "token");
    const means = token?.tasks.map((task) => task.stats?.meanUs ?? 0) ?? [];
    const fastest = token?.tasks[means.indexOf(Math.min(...means))]?.name ?? "";
    const table = text.slice(text.indexOf("token:"));
    const firstRow = table
      .split("\n")
      .find((line) => line.startsWith("│ ") && !line.includes("task"));
    expect(firstRow).toContain(fastest);
    expect(firstRow).toMatch(/1\.00× │$/);
  });

  it.skipIf(databaseUrl)("skips PostgreSQL with a line saying how to get one", () => {
    expect(results.skipped).toContainEqual(
      expect.objectContaining({
        suite: "store",
        what: "PostgreSQL tasks",
        reason: expect.stringContaining("cannot reach PostgreSQL"),
      }),
    );
  });
});

describe("an interrupted run", () => {
  it("keeps what it measured, marks the rest, and still writes its report", async () => {
    const controller = new AbortController();
    const { results, folder } = await runMicroBenchmark(
      quick(["token", "password"]),
      (event) => {
        if (event.kind === "task") controller.abort();
      },
      controller.signal,
    );
    expect(results.status).toBe("interrupted");
    expect(results.suites.map((suite) => suite.name)).toEqual(["token"]);
    expect(results.suites[0]?.tasks.map((task) => task.state)).toEqual([
      "completed",
      "aborted",
      "aborted",
      "aborted",
    ]);
    const text = renderMicroTables(results);
    expect(text).toContain("[interrupted]");
    expect(text).toContain("interrupted before it was measured");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    const written = JSON.parse(await readFile(join(folder.dir, "results.json"), "utf8"));
    expect(written.status).toBe("interrupted");
  });
});

describe("microCommand", () => {
  it("prints its options with --help", async () => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      expect(
        await runBenchmarkCommand(
          microCommand({ loadReference: async () => null }),
          ["--help"],
          new AbortController().signal,
        ),
      ).toBe(0);
      expect(String(write.mock.calls[0]?.[0])).toMatch(/--suite\s+comma-separated suites/);
    } finally {
      write.mockRestore();
    }
  });
});

describe("when PostgreSQL is unreachable", () => {
  it("skips its tasks with a clear line and runs the rest", async () => {
    const lines: string[] = [];
    const { results } = await runMicroBenchmark(
      quick(["store"], { databaseUrl: UNREACHABLE_POSTGRES }),
      (event) => {
        if (event.kind === "note") lines.push(event.message);
      },
      new AbortController().signal,
    );
    expect(results.suites[0]?.tasks.map((task) => task.id)).toEqual([
      "sqlite.find-hit",
      "sqlite.find-miss",
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^skipping PostgreSQL tasks \(store suite\): cannot reach PostgreSQL/),
    );
    expect(renderMicroTables(results)).toContain("Skipped");
  });
});

describe.skipIf(!databaseUrl)("the store suite on PostgreSQL", () => {
  it("finds the sessions it seeded in a throwaway schema, and drops the schema", async () => {
    const { results } = await run(quick(["store"]));
    for (const id of ["postgres.find-hit", "postgres.find-miss"]) {
      expect(completed(taskOf(results, id))).toEqual([id, "completed", null]);
    }
    const schema = results.setup.postgresSchema;
    expect(schema).toMatch(/^micro_/);
    const client = new pg.Client({ connectionString: databaseUrl as string });
    await client.connect();
    try {
      const { rowCount } = await client.query(
        "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
        [schema],
      );
      expect(rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });
});

describe.skipIf(!redisUrl)("the suites over Redis", () => {
  let results: MicroResults;
  let before: Map<string, number>;
  let after: Map<string, number>;
  beforeAll(async () => {
    before = await commandCalls(redisUrl as string);
    ({ results } = await run(quick(["cache", "request"])));
    after = await commandCalls(redisUrl as string);
  }, 60_000);

  it("really sends GET and SET to Redis: one SET per invalidated token, no MULTI (a cluster refuses one across slots)", () => {
    const calls = (id: string) => taskOf(results, id).stats?.calls ?? 0;
    const delta = (command: string) => (after.get(command) ?? 0) - (before.get(command) ?? 0);
    expect(delta("get")).toBeGreaterThanOrEqual(calls("redis.get-hit") + calls("redis.get-miss"));
    expect(delta("set")).toBeGreaterThanOrEqual(
      calls("redis.set") + calls("redis.invalidate-1") + 10 * calls("redis.invalidate-user"),
    );
    // Redis counts the commands of every client, and other test files share it: a lower bound.
    const sent = (id: string) => taskOf(results, id).perCall["Redis commands"];
    expect(sent("redis.get-hit")).toBeGreaterThanOrEqual(1);
    expect(sent("redis.invalidate-1")).toBeGreaterThanOrEqual(1);
    expect(sent("redis.invalidate-user")).toBeGreaterThanOrEqual(10);
  });

  it("checks each request as the hook does, on the path its name says", () => {
    const perCall = (id: string) => taskOf(results, id).perCall;
    expect(perCall("request.none-store")).toMatchObject({ "cache bypass": 1, "store lookup": 1 });
    for (const mode of ["memory", "redis", "tiered"]) {
      expect(perCall(`request.${mode}-hit`)).toMatchObject({ "cache hit": 1, "store lookup": 0 });
      expect(perCall(`request.${mode}-miss`)).toMatchObject({ "cache miss": 1, "store lookup": 1 });
    }
  });

  it("adds up the parts of each mode's check beside the whole", () => {
    const memoryHit = results.requestCost.find(
      (row) => row.mode === "memory" && row.path === "hit",
    );
    expect(memoryHit?.parts).toEqual([
      "token.header",
      "token.syntax",
      "token.sha256",
      "memory.get-hit",
    ]);
    // The token suite did not run: the sum is missing, not wrong.
    expect(memoryHit?.partsUs).toBeNull();
    expect(memoryHit?.missing).toEqual(["token.header", "token.syntax", "token.sha256"]);
    expect(memoryHit?.wholeUs).toBeGreaterThan(0);
  });

  it("weighs an entry of each cache: at least its key and principal, and the LRU's slots apart", () => {
    const weight = (cache: string) => results.footprint.find((f) => f.cache === cache);
    // A 64-character token hash and a principal's JSON are each already more than 60 bytes.
    const memory = weight("memory");
    expect(memory?.bytesPerEntry).toBeGreaterThan(150);
    expect(memory?.bytesPerEntry).toBeLessThan(1000);
    expect(memory?.lowBytes).toBeLessThanOrEqual(memory?.bytesPerEntry as number);
    expect(memory?.highBytes).toBeGreaterThanOrEqual(memory?.bytesPerEntry as number);
    // Index and TTL arrays: a few machine words per slot, allocated before any entry.
    expect(memory?.slots).toBe(100_000);
    expect(memory?.bytesPerSlot).toBeGreaterThan(16);
    expect(memory?.bytesPerSlot).toBeLessThan(200);
    const redis = weight("redis");
    expect(redis?.bytesPerEntry).toBeGreaterThan(150);
    expect(redis?.bytesPerSlot).toBeNull();
    expect(renderMicroTables(results)).toContain("What the cache itself holds");
  });

  it("leaves no key behind", async () => {
    expect(results.setup.redisKeyPrefix).toMatch(/^acb-micro:/);
    expect(await keysUnder(redisUrl as string, results.setup.redisKeyPrefix as string)).toEqual([]);
  });
});

describe("the cost of one request", () => {
  const task = (id: string, meanUs: number): MicroTask => ({
    id,
    name: id,
    batch: 1,
    state: "completed",
    error: null,
    perCall: {},
    stats: {
      meanUs,
      p50Us: meanUs,
      p99Us: meanUs,
      minUs: meanUs,
      maxUs: meanUs,
      sdUs: 0,
      rmePct: 0,
      opsPerSecond: 1e6 / meanUs,
      samples: 1,
      calls: 1,
    },
  });
  const suite = (name: SuiteName, tasks: MicroTask[]) => ({
    name,
    title: name,
    notes: [],
    budget: { timeMs: 1, minSamples: 1, warmupMs: 0, minWarmupSamples: 0 },
    timerOverheadUs: 0,
    tasks,
  });

  it("adds up a plain JWT's check: the header read and the signature verified, nothing hashed or looked up", () => {
    const suites = [
      suite("token", [task("token.header", 0.1), task("token.sha256", 0.4)]),
      suite("jwt", [task("jwt.HS256.fast-jwt.verify", 19), task("jwt.HS256.check", 20)]),
    ];
    expect(requestCosts(suites)).toEqual([
      {
        mode: "jwt-hs256",
        path: "verify",
        parts: ["token.header", "jwt.HS256.fast-jwt.verify"],
        partsUs: expect.closeTo(19.1, 6),
        missing: [],
        whole: "jwt.HS256.check",
        wholeUs: 20,
      },
    ]);
  });

  it("sums the means of the parts and puts the latest read load report beside them", async () => {
    const suites = [
      suite("token", [
        task("token.header", 0.1),
        task("token.syntax", 0.05),
        task("token.sha256", 0.4),
      ]),
      suite("store", [task("sqlite.find-hit", 4)]),
      suite("request", [task("request.none-store", 6)]),
    ];
    const [none] = requestCosts(suites);
    expect(none).toMatchObject({ mode: "none", path: "store", missing: [], wholeUs: 6 });
    expect(none?.partsUs).toBeCloseTo(4.55, 6);

    const reports = await mkdtemp(join(tmpdir(), "acb-micro-reports-"));
    try {
      await mkdir(join(reports, "2025-06-11T09-19-21Z-read"));
      await copyFile(
        new URL("./fixtures/load-results.json", import.meta.url),
        join(reports, "2025-06-11T09-19-21Z-read", "results.json"),
      );
      await mkdir(join(reports, "2025-06-12T00-00-00Z-micro"));
      // Newer, but of the ceiling alone: nothing to put beside a cache mode.
      const ceilingOnly = JSON.parse(
        await readFile(new URL("./fixtures/load-results.json", import.meta.url), "utf8"),
      ) as LoadResults;
      ceilingOnly.options.modes = ["ceiling"];
      ceilingOnly.summaries = ceilingOnly.summaries.filter((s) => s.mode === "ceiling");
      await mkdir(join(reports, "2025-06-12T00-00-01Z-read"));
      await writeFile(
        join(reports, "2025-06-12T00-00-01Z-read", "results.json"),
        JSON.stringify(ceilingOnly),
      );
      const reference = await latestLoadReference(reports);
      expect(reference).toMatchObject({
        folder: join(reports, "2025-06-11T09-19-21Z-read"),
        scenario: "read",
        store: "sqlite",
        cpuUsPerRequest: { ceiling: 23.9, none: 76.97 },
      });
      const results = {
        ...(await run(quick(["token"], { time: 1, warmup: 0 }))).results,
        suites,
        requestCost: requestCosts(suites),
        loadReference: reference,
      };
      const text = renderMicroTables(results);
      expect(text).toContain("Cost of one request");
      expect(text).toMatch(
        /│ none\s+│\s+store │\s+4\.55 µs │\s+6\.00 µs │\s+77\.0 µs │\s+53\.1 µs │/,
      );
      expect(renderMicroMarkdown(results)).toContain("| none | store | 4.55 µs | 6.00 µs |");
    } finally {
      await rm(reports, { recursive: true, force: true });
    }
  });
});

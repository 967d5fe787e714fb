import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareCommand } from "../bench/compare/command.js";
import { compareResults } from "../bench/compare/compare-results.js";
import { COMPARE_DEFAULTS } from "../bench/compare/options.js";
import { setupDifferences } from "../bench/compare/setup.js";
import { saveBaseline } from "../bench/load/baseline.js";
import type { LoadResults } from "../bench/load/schema.js";
import { compare, mannWhitneyU, smallestP } from "../bench/stats/index.js";
import { exitCodeOf } from "../lib/cli-edge.js";
import { handMadeResults, NONE, type RunFigures, steady } from "./fixtures/hand-made-results.js";

const MEMORY: RunFigures = { ...NONE, rps: 30_000, p50: 1400, p99: 3500, cpu: 26, lookups: 0 };

const modes = (memory: RunFigures, seed = 0, rounds = 6) =>
  handMadeResults({ none: steady(NONE, seed), memory: steady(memory, seed + 1) }, rounds);

const BASELINE = modes(MEMORY);
// memory 30% slower in every figure: far outside a ±2% spread.
const REGRESSED = modes(
  {
    ...MEMORY,
    rps: MEMORY.rps * 0.7,
    p50: MEMORY.p50 / 0.7,
    p99: MEMORY.p99 / 0.7,
    cpu: MEMORY.cpu / 0.7,
  },
  3,
);
// 1% slower, inside the ±2% noise, with the runs in another order.
const NOISE = modes({ ...MEMORY, rps: MEMORY.rps * 0.99 }, 3);

let dir: string;
const files: Record<string, string> = {};

async function put(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

/** Runs the command as the CLI would: its exit code, or the one its error maps to. */
async function gate(...argv: string[]): Promise<{ code: number; output: string; error?: string }> {
  let output = "";
  try {
    const code = await compareCommand(argv, (text) => {
      output += text;
    });
    return { code, output };
  } catch (error) {
    return {
      code: exitCodeOf(error),
      output,
      error: `${(error as { code?: string }).code}: ${(error as Error).message}`,
    };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "acb-compare-"));
  const differentMachine = structuredClone(BASELINE);
  differentMachine.provenance.machine.cores = 8;
  differentMachine.options.connections = 100;
  Object.assign(files, {
    baseline: await put("baseline.json", BASELINE),
    regressed: await put("regressed.json", REGRESSED),
    noise: await put("noise.json", NOISE),
    improved: await put("improved.json", modes({ ...MEMORY, rps: MEMORY.rps * 1.4 }, 3)),
    otherMachine: await put("other-machine.json", differentMachine),
    quick: await put("quick.json", modes(MEMORY, 3, 2)),
    interrupted: await put("interrupted.json", { ...NOISE, status: "interrupted" }),
    garbage: await put("garbage.json", "{ not json"),
    otherSchema: await put("other.json", { schema: "something/else", version: 1 }),
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the gate's exit codes", () => {
  it("exits 1 on a clear regression, naming it", async () => {
    const { code, output } = await gate(files.baseline ?? "", files.regressed ?? "");
    expect(code).toBe(1);
    expect(output).toMatch(/^FAIL: 4 regressions beyond 10% at α 0\.05/);
    expect(output).toMatch(/│ memory +│ +req\/s │ .* │ +0\.70× │ .* │ regression │/);
    expect(output).toMatch(/│ none +│ +req\/s │ .* │ +~ │/);
  });

  it("exits 0 for a change inside the noise", async () => {
    const { code, output } = await gate(files.baseline ?? "", files.noise ?? "");
    expect(code).toBe(0);
    expect(output).toMatch(/^PASS: no regression beyond 10% at α 0\.05\n/);
    expect(output).not.toMatch(/regression │|improvement │/);
  });

  it("exits 0 on an improvement, and says so", async () => {
    const { code, output } = await gate(files.baseline ?? "", files.improved ?? "");
    expect(code).toBe(0);
    expect(output).toMatch(/^PASS: no regression beyond 10% at α 0\.05; 1 improvement/);
  });

  it("counts a significant change within the threshold as ~, with a note", async () => {
    const { code, output } = await gate(
      files.baseline ?? "",
      files.regressed ?? "",
      "--threshold",
      "50%",
    );
    expect(code).toBe(0);
    expect(output).toContain("memory req/s: significant but within the 50% threshold");
  });

  it("refuses results from another machine or configuration with exit 2, naming the fields", async () => {
    const { code, error } = await gate(files.baseline ?? "", files.otherMachine ?? "");
    expect(code).toBe(2);
    expect(error).toMatch(/^ACB_COMPARE_SETUP_MISMATCH: /);
    expect(error).toContain("machine.cores: 4 → 8");
    expect(error).toContain("options.connections: 50 → 100");
    expect(error).toContain("--allow-different-setup");
  });

  it("compares them anyway with --allow-different-setup, listing the differences", async () => {
    const { code, output } = await gate(
      files.baseline ?? "",
      files.otherMachine ?? "",
      "--allow-different-setup",
    );
    expect(code).toBe(0);
    expect(output).toContain("Setup differences (allowed by --allow-different-setup)");
    expect(output).toContain("machine.cores: 4 → 8");
  });

  it("exits 2 when the runs are too few for any change to be significant", async () => {
    const { code, output } = await gate(files.baseline ?? "", files.quick ?? "");
    expect(code).toBe(2);
    expect(output).toMatch(/^CANNOT JUDGE: none of the 8 changes can be judged/);
    expect(output).toContain("6 and 2 valid runs: the smallest possible p is 0.071");
  });

  it("exits 2 for unusable input: unreadable, another schema, incomplete, bad flags", async () => {
    const cases: [string[], string][] = [
      [[files.baseline ?? "", join(dir, "missing.json")], "ACB_RESULTS_INVALID"],
      [[files.baseline ?? "", files.garbage ?? ""], "ACB_RESULTS_INVALID"],
      [[files.otherSchema ?? "", files.baseline ?? ""], "ACB_RESULTS_INVALID"],
      [[files.baseline ?? "", files.interrupted ?? ""], "ACB_COMPARE_INPUT"],
      [[files.baseline ?? ""], "ACB_USAGE"],
      [[files.baseline ?? "", files.noise ?? "", "--threshold", "10"], "ACB_CONFIG_INVALID"],
      [[files.baseline ?? "", files.noise ?? "", "--metrics", "rps,speed"], "ACB_CONFIG_INVALID"],
      [[files.baseline ?? "", files.noise ?? "", "--alpha", "2"], "ACB_CONFIG_INVALID"],
    ];
    for (const [argv, expected] of cases) {
      const { code, error } = await gate(...argv);
      expect({ argv, code, error: error?.split(":")[0] }).toEqual({
        argv,
        code: 2,
        error: expected,
      });
    }
  });
});

describe("bench:compare output", () => {
  it("fits the terminal table in 100 columns", async () => {
    const { output } = await gate(
      files.baseline ?? "",
      files.regressed ?? "",
      "--metrics",
      "rps,p50,p90,p99,p999,cpu,rss",
    );
    expect(Math.max(...output.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    expect(output).toMatch(/│ +RSS │/);
  });

  it("writes Markdown for a pull request, with the regression in bold", async () => {
    const { code, output } = await gate(files.baseline ?? "", files.regressed ?? "", "--markdown");
    expect(code).toBe(1);
    expect(output).toContain("**FAIL: 4 regressions beyond 10% at α 0.05**");
    expect(output).toContain(
      "| mode | metric | baseline [95% CI] | current [95% CI] | change [95% CI] | Holm p | status [detects] |",
    );
    expect(output).toMatch(/^\| memory \| req\/s \| .* \| \*\*regression\*\* \|$/m);
    expect(output).not.toContain("┌");
  });

  it("reads report folders as well as results files", async () => {
    const folder = join(dir, "report-folder");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "results.json"), JSON.stringify(REGRESSED));
    expect((await gate(files.baseline ?? "", folder)).code).toBe(1);
  });

  it("prints its usage with --help", async () => {
    const { code, output } = await gate("--help");
    expect(code).toBe(0);
    expect(output).toContain("--threshold");
    expect(output).toContain("[default 10%]");
    expect(output).toContain("--allow-different-setup");
  });
});

describe("compareResults", () => {
  const options = { ...COMPARE_DEFAULTS };

  it("counts a change only when its p holds over every test of the gate (Holm)", () => {
    // 3% slower in every round against a ±2% spread: p about 0.01 alone, over 8 tests far more.
    const slower = modes({ ...MEMORY, rps: MEMORY.rps * 0.97 }, 3);
    const result = compareResults(BASELINE, slower, { ...options, threshold: 0.01 });
    const rps = result.changes.find((c) => c.mode === "memory" && c.metric === "rps");
    expect(rps?.change?.p).toBeLessThan(0.05);
    expect(rps?.holmP).toBeGreaterThanOrEqual(0.05);
    expect(rps?.status).toBe("~");
    expect(rps?.note).toMatch(/ alone, but .* over the gate's 8 tests \(Holm\): not significant$/);
    expect(result.outcome).toBe("pass");
  });

  it("cannot judge a mode whose runs shared the machine with a busy process", () => {
    const busy = structuredClone(REGRESSED);
    const run = busy.runs.find((r) => r.mode === "memory" && r.round === 3);
    if (run) run.otherLoad = { coreShare: 0.8, busiest: [{ pid: 7, name: "tar", coreShare: 0.8 }] };
    const result = compareResults(BASELINE, busy, options);
    const memory = result.changes.filter((c) => c.mode === "memory");
    expect(memory.map((c) => c.status)).toEqual(Array(4).fill("cannot judge"));
    expect(memory[0]?.note).toBe(
      "too noisy to judge: in the current, other processes used up to 0.800 of a core (limit 0.25) in round 3: tar 0.800",
    );
    expect(result.outcome).toBe("cannot judge");
  });

  it("cannot judge when no change could hold over the gate's tests with so few runs", () => {
    // 4 runs each: the smallest p is 0.029, times 8 tests 0.23.
    const result = compareResults(modes(MEMORY, 0, 4), modes(MEMORY, 3, 4), options);
    expect(result.changes.every((c) => c.status === "cannot judge")).toBe(true);
    expect(result.changes[0]?.note).toMatch(
      /over the gate's 8 tests \(Holm\) is 0\.23, not below α 0\.05$/,
    );
    expect(result.outcome).toBe("cannot judge");
  });

  it("gives every mode and metric a change with its CI, p and status", () => {
    const result = compareResults(BASELINE, REGRESSED, options);
    expect(result.changes.map((c) => `${c.mode} ${c.metric} ${c.status}`)).toEqual([
      "none rps ~",
      "none p50 ~",
      "none p99 ~",
      "none cpu ~",
      "memory rps regression",
      "memory p50 regression",
      "memory p99 regression",
      "memory cpu regression",
    ]);
    const rps = result.changes.find((c) => c.mode === "memory" && c.metric === "rps");
    expect(rps?.change?.ratio).toBeCloseTo(0.7, 1);
    expect(rps?.change?.method).toBe("bootstrap");
    expect(rps?.change?.p).toBeCloseTo(2 / 924, 12);
    expect(result.outcome).toBe("fail");
  });

  it("treats two benchmarks' runs as independent, not paired by round", () => {
    const a = [10, 11, 12, 13, 14];
    const b = [9, 10, 11, 12, 13];
    expect(compare(a, b).method).toBe("paired");
    expect(compare(a, b, { paired: false }).method).toBe("bootstrap");
    expect(() => compare(a, [1, 2], { paired: true })).toThrow(RangeError);
  });

  it("knows the smallest p a Mann-Whitney U test can reach with its sample sizes", () => {
    for (const [m, n] of [
      [2, 2],
      [3, 3],
      [4, 3],
      [4, 4],
      [6, 2],
      [6, 6],
    ] as const) {
      const low = Array.from({ length: m }, (_, i) => i);
      const high = Array.from({ length: n }, (_, i) => 100 + i);
      expect(smallestP(m, n)).toBeCloseTo(mannWhitneyU(low, high).p, 12);
    }
    expect(smallestP(4, 4)).toBeLessThan(0.05);
    expect(smallestP(4, 3)).toBeGreaterThan(0.05);
  });

  it("sees no difference in setup between results of the same machine and configuration", () => {
    const later = structuredClone(NOISE);
    later.options.runs = 10;
    later.options.out = "elsewhere";
    later.provenance.git = { commit: "f".repeat(40), dirty: false };
    expect(setupDifferences(BASELINE, later)).toEqual([]);
    later.provenance.packages.fastify = "6.0.0";
    later.provenance.node = "v22.0.0";
    expect(setupDifferences(BASELINE, later)).toEqual([
      `node: ${BASELINE.provenance.node} → v22.0.0`,
      `packages.fastify: ${BASELINE.provenance.packages.fastify} → 6.0.0`,
    ]);
  });
});

describe("saveBaseline", () => {
  it("writes complete results that the gate reads back, and refuses partial ones", async () => {
    const file = join(dir, "nested", "baseline.json");
    await saveBaseline(BASELINE, file);
    const saved: LoadResults = JSON.parse(await readFile(file, "utf8"));
    expect(saved.summaries).toHaveLength(2);
    expect((await gate(file, files.noise ?? "")).code).toBe(0);
    await expect(saveBaseline({ ...BASELINE, status: "interrupted" }, file)).rejects.toMatchObject({
      code: "ACB_COMPARE_INPUT",
    });
  });
});

import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abGate } from "../bench/ab/gate.js";
import type { AbResults } from "../bench/ab/schema.js";
import type { LoadResults, RunResult } from "../bench/load/schema.js";
import { handMadeResults, NONE, steady } from "./fixtures/hand-made-results.js";
import { run } from "./helpers/process.js";

const CLI = "dist/bench/cli.js";
/** The last commit before the server took --coalesce and --cache-ttl-jitter; same lock file as now. */
const BEFORE_COALESCE = "aa02868ba28785af81c036bd412e7c51c8b4b6a4";
/** Another commit with today's lock file, built only to be interrupted. */
const TO_INTERRUPT = "824140b";
const SMALL = ["--modes", "memory", "--duration", "1", "--warmup", "0"];

let out: string;
beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "acb-ab-reports-"));
});
afterAll(() => rm(out, { recursive: true, force: true }));

const GATE = {
  threshold: 0.05,
  alpha: 0.05,
  metrics: ["cpu"] as const,
  allowDifferentSetup: false,
};
const SIDES = {
  base: { label: "base", commit: null, createdAt: "" },
  candidate: { label: "candidate", commit: null, createdAt: "" },
};

/** Hand-made rounds of memory, once per version: the candidate's CPU per request times `slower`. */
function abResults(rounds: number, slower: number): LoadResults {
  const base = handMadeResults({ memory: steady({ ...NONE, cpu: 20 }) }, rounds);
  const runs: RunResult[] = base.runs.flatMap((r) => [
    { ...r, version: "base" as const },
    {
      ...r,
      version: "candidate" as const,
      server: r.server && { ...r.server, cpuUsPerRequest: r.server.cpuUsPerRequest * slower },
    },
  ]);
  return { ...base, runs };
}

describe("the A/B gate", () => {
  it("pairs the versions by round: a 20% slower candidate in every round is a regression", () => {
    const gate = abGate(abResults(10, 1.2), { ...GATE, metrics: ["cpu"] }, SIDES);
    const [change] = gate.changes;
    expect(change?.status).toBe("regression");
    expect(change?.change?.method).toBe("paired");
    expect(change?.change?.n).toBe(10);
    expect(change?.change?.ratio).toBeCloseTo(1.2, 6);
    expect(change?.change?.p).toBeCloseTo(2 / 1024, 9);
    expect(gate.outcome).toBe("fail");
  });

  it("drops only the round whose arm failed, not the mode", () => {
    const results = abResults(10, 1.2);
    const failed = results.runs.find(
      (r) => r.version === "candidate" && r.round === 3,
    ) as RunResult;
    failed.status = "failed";
    const [change] = abGate(results, { ...GATE, metrics: ["cpu"] }, SIDES).changes;
    expect(change?.change?.n).toBe(9);
    expect(change?.status).toBe("regression");
  });

  it("passes the same version against itself, and cannot judge five rounds", () => {
    expect(abGate(abResults(10, 1), { ...GATE, metrics: ["cpu"] }, SIDES).outcome).toBe("pass");
    const few = abGate(abResults(5, 1.2), { ...GATE, metrics: ["cpu"] }, SIDES);
    expect(few.outcome).toBe("cannot judge");
    expect(few.changes[0]?.note).toMatch(/5 paired rounds: the smallest possible p is 0\.063/);
  });

  it("corrects over the family: one test of ten alike rounds among 30 cannot count", () => {
    const gate = abGate(
      abResults(10, 1.2),
      { ...GATE, metrics: ["rps", "p50", "p99", "cpu", "rss", "p90"] },
      SIDES,
    );
    // 1 of 6 tests: 6 × 2/1024 < 0.05, so the CPU change still counts.
    expect(gate.changes.find((c) => c.metric === "cpu")?.status).toBe("regression");
  });
});

/** Commits git lists as worktrees of this checkout. */
const worktrees = () =>
  execFileSync("git", ["worktree", "list", "--porcelain"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.startsWith("worktree "));
const leftovers = async () =>
  (await readdir(tmpdir())).filter(
    (name) => name.startsWith("acb-ab-") && !name.includes("reports"),
  );

async function latestResults(): Promise<AbResults> {
  return JSON.parse(await readFile(join(out, "latest", "results.json"), "utf8")) as AbResults;
}

/** A folder holding a "server" that is not this project's: what a wrong --base looks like. */
async function foreignCheckout(main: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "acb-foreign-"));
  await mkdir(join(dir, "dist", "server"), { recursive: true });
  await writeFile(join(dir, "dist", "server", "main.js"), main);
  await chmod(join(dir, "dist", "server", "main.js"), 0o644);
  return dir;
}

describe("npm run bench:ab", () => {
  it("refuses, in one line, a base that is neither a commit nor a built checkout", async () => {
    const missing = await run(CLI, [
      "ab",
      "--base",
      "no-such-ref-anywhere",
      ...SMALL,
      "--out",
      out,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^auth-cache-bench: ACB_AB_VERSION: --base no-such-ref-anywhere: no-such-ref-anywhere is neither a folder nor a git commit here\n$/m,
    );
    const unbuilt = await mkdtemp(join(tmpdir(), "acb-foreign-"));
    const noBuild = await run(CLI, ["ab", "--base", unbuilt, ...SMALL, "--out", out]);
    expect(noBuild.code).toBe(2);
    expect(noBuild.stderr).toMatch(
      /ACB_AB_VERSION: --base .*has no dist\/server\/main\.js: build it first/,
    );
    await rm(unbuilt, { recursive: true });
  });

  it("refuses a base whose server is not one this harness can start", async () => {
    const noPort = await foreignCheckout('console.log("usage: main.js [--verbose]");');
    const noReady = await foreignCheckout(
      'if (process.argv.includes("--help")) console.log("--port N  --auth on|off");\nelse console.log("listening on 3000");',
    );
    const a = await run(CLI, ["ab", "--base", noPort, ...SMALL, "--out", out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(
      /ACB_AB_VERSION: --base .*lists no --port: not a server this harness can start\n$/,
    );
    const b = await run(CLI, ["ab", "--base", noReady, ...SMALL, "--out", out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/ACB_AB_VERSION: --base .*listening on 3000/);
    expect(b.stderr.trim().split("\n").at(-1)).toMatch(/^auth-cache-bench: ACB_AB_VERSION/);
    await Promise.all([noPort, noReady].map((dir) => rm(dir, { recursive: true })));
  });

  it("refuses --candidate-server-args with a flag the candidate's server does not take", async () => {
    const bad = await run(CLI, [
      "ab",
      "--base",
      ".",
      "--candidate-server-args",
      "--inject-cpu-microseconds 5",
      ...SMALL,
      "--out",
      out,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /ACB_AB_VERSION: --candidate-server-args: --inject-cpu-microseconds is not a flag of the candidate's server/,
    );
  });

  it("runs the tree against itself: exit 0 or 2 (withheld: the machine was busy), never a false alarm", {
    timeout: 120_000,
  }, async () => {
    // A 50% threshold: no noise here moves six rounds' median CPU ratio that far, so 1 would
    // be a bug; 2 is the busy-machine guard withholding, as the other test files share the two
    // cores (rounds that disagree no longer withhold an interleaved A/B).
    const aa = await run(CLI, [
      "ab",
      "--base",
      ".",
      "--runs",
      "6",
      "--metrics",
      "cpu",
      "--threshold",
      "50%",
      ...SMALL,
      "--out",
      out,
    ]);
    expect([0, 2], aa.stdout + aa.stderr).toContain(aa.code);
    const results = await latestResults();
    expect(results.gate?.design).toBe("interleaved");
    const change = results.gate?.changes[0];
    expect(change?.change?.n).toBe(6);
    if (aa.code === 2) expect(change?.note).toMatch(/too noisy to judge/);
    else expect(change?.status).toBe("~");
  });

  it("builds a base commit in a worktree, runs it without a flag it lacks, and leaves no worktree", {
    timeout: 240_000,
  }, async () => {
    const before = worktrees();
    const ab = await run(CLI, [
      "ab",
      "--base",
      BEFORE_COALESCE,
      "--server-args",
      "--coalesce off",
      "--runs",
      "1",
      ...SMALL,
      "--out",
      out,
    ]);
    // One round: nothing can be judged, so 2; what matters is that both versions ran.
    expect(ab.code, ab.stderr).toBe(2);
    expect(ab.stderr).toMatch(/its server has no --coalesce, so its runs go without it/);
    const results = await latestResults();
    expect(results.versions[0]).toMatchObject({
      name: "base",
      commit: BEFORE_COALESCE.slice(0, 12),
    });
    expect(results.versions[0]?.droppedFlags).toEqual(["--coalesce"]);
    expect(results.versions[1]).toMatchObject({
      droppedFlags: [],
      extraArgs: [],
    });
    const load = JSON.parse(
      await readFile(join(out, "latest", results.load as string, "results.json"), "utf8"),
    ) as LoadResults;
    expect(load.runs.map((r) => `${r.version} ${r.status}`).sort()).toEqual([
      "base ok",
      "candidate ok",
    ]);
    // The candidate took the flag (its ready line says so); the base never knew it.
    expect(load.runs.find((r) => r.version === "candidate")?.settings?.coalesce).toBe("off");
    expect(load.runs.find((r) => r.version === "base")?.settings?.coalesce).toBeUndefined();
    expect(worktrees()).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });

  it("on Ctrl-C while installing or building a base, stops with 130 and leaves no worktree or process behind", {
    timeout: 120_000,
  }, async () => {
    const sha = execFileSync("git", ["rev-parse", TO_INTERRUPT], { encoding: "utf8" }).trim();
    const build = join("node_modules", ".cache", "auth-cache-bench", "builds", sha);
    await rm(build, { recursive: true, force: true });
    const before = worktrees();
    const child = spawn(process.execPath, [CLI, "ab", "--base", sha, ...SMALL, "--out", out], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const building = new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
        // Either step: a lock file unlike this tree's is installed first (npm ci), then built.
        if (/building it|installing its dependencies/.test(stderr)) resolve();
      });
    });
    await building;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill("SIGINT");
    const [code] = (await once(child, "close")) as [number];
    expect(code, stderr).toBe(130);
    expect(stderr.trim().split("\n").at(-1)).toBe(
      "auth-cache-bench: ACB_INTERRUPTED: interrupted while preparing the base: nothing was measured",
    );
    expect(worktrees()).toEqual(before);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(join(build, ".complete"))).toBe(false);
    const processes = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" });
    expect(processes).not.toMatch(new RegExp(`acb-ab-${sha.slice(0, 8)}`));
  });
});

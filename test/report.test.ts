import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { guarded, summarizeModes } from "../bench/load/derive.js";
import { renderMarkdown } from "../bench/load/markdown.js";
import { summaryRows, verdictLines, warningLines } from "../bench/load/rows.js";
import type { LoadMode, LoadResults, ModeSummary } from "../bench/load/schema.js";
import { renderTables } from "../bench/load/terminal.js";
import {
  fmtCi,
  fmtComparison,
  fmtDetectable,
  fmtPct,
  fmtRate,
  fmtRatio,
  fmtUs,
} from "../bench/report/format.js";
import { collectProvenance } from "../bench/report/provenance.js";
import { compare, summarize } from "../bench/stats/index.js";
import {
  asCapacity,
  asOpenLoop,
  handMadeResults,
  NONE,
  steady,
} from "./fixtures/hand-made-results.js";
import { loadFixture } from "./fixtures/load-fixture.js";

const FIXTURE: LoadResults = loadFixture();
const MODES: LoadMode[] = ["ceiling", "none", "memory", "redis"];

const fixture = (): LoadResults => structuredClone(FIXTURE);

function summaryOf(results: LoadResults, mode: LoadMode): ModeSummary {
  const summary = results.summaries.find((s) => s.mode === mode);
  if (!summary) throw new Error(`no summary for ${mode}`);
  return summary;
}

// Wrapped terminal lines are joined back so a phrase can be searched whatever the width.
const unwrap = (text: string): string => text.replace(/\n +/g, " ");

// An interval below 95% coverage (the fixture has 4 and 5 runs) says how much it covers.
const RATE_CI = /^\d+(\.\d+)?k \[\d+(\.\d+)?k–\d+(\.\d+)?k\]( \(\d+%\))?$/;
const RATIO_CI = /^\d+\.\d\d× \[\d+\.\d\d–\d+\.\d\d\]( \(\d+%\))?$/;

describe("number formatting", () => {
  it("abbreviates rates to three significant digits", () => {
    expect(fmtRate(812)).toBe("812");
    expect(fmtRate(31_249)).toBe("31.2k");
    expect(fmtRate(999.96)).toBe("1.00k");
    expect(fmtRate(1_234_567)).toBe("1.23M");
  });

  it("shows microseconds as µs below a millisecond and ms above", () => {
    expect(fmtUs(412.4)).toBe("412 µs");
    expect(fmtUs(41.24)).toBe("41.2 µs");
    expect(fmtUs(1934)).toBe("1.93 ms");
    expect(fmtUs(14_620)).toBe("14.6 ms");
  });

  it("formats ratios, percentages and missing values", () => {
    expect(fmtRatio(0.9412)).toBe("0.94×");
    expect(fmtPct(0.9412)).toBe("94.1%");
    expect(fmtPct(0.99998, 2)).toBe(">99.99%");
    expect(fmtPct(1)).toBe("100.0%");
    for (const fmt of [fmtRate, fmtUs, fmtRatio, fmtPct]) {
      expect(fmt(null)).toBe("–");
      expect(fmt(Number.NaN)).toBe("–");
    }
    expect(fmtCi(null, fmtRate)).toBe("–");
  });

  it("puts the 95% CI after the median and the ratio", () => {
    expect(fmtCi(summarize([30_100, 31_200, 32_000, 31_000, 30_900, 31_500]), fmtRate)).toBe(
      "31.1k [30.1k–32.0k]",
    );
    const comparison = compare([94, 95, 93, 96, 94], [100, 101, 99, 100, 100]);
    expect(fmtComparison(comparison)).toMatch(RATIO_CI);
    expect(fmtComparison(comparison)).toMatch(/^0\.94× .* \(94%\)$/);
    // Four runs: min–max, which covers the median 87.5% of the time, and says so.
    expect(fmtCi(summarize([1, 2, 3, 4]), fmtRate)).toBe("2.50 [1.00–4.00] (88%)");
  });
});

describe("summaryRows", () => {
  const [throughput, cost] = summaryRows(FIXTURE);

  it("builds one row per mode in both tables, each as wide as its header", () => {
    for (const table of [throughput, cost]) {
      expect(table?.rows.map((row) => row[0])).toEqual(MODES);
      for (const row of table?.rows ?? []) expect(row).toHaveLength(table?.header.length ?? -1);
    }
  });

  it("shows valid runs, rates and ratios with their CIs, and a dash for the mode itself", () => {
    const rows = new Map(throughput?.rows.map((row) => [row[0], row]));
    expect(rows.get("memory")?.[1]).toBe("4/5");
    expect(rows.get("redis")?.[1]).toBe("5/5");
    for (const row of rows.values()) expect(row[2]).toMatch(RATE_CI);
    expect(rows.get("ceiling")?.[3]).toBe("–");
    expect(rows.get("none")?.[4]).toBe("–");
    expect(rows.get("ceiling")?.[4]).toMatch(RATIO_CI);
    for (const mode of ["none", "memory", "redis"]) expect(rows.get(mode)?.[3]).toMatch(RATIO_CI);
    expect(rows.get("redis")?.[4]).toBe(fmtComparison(summaryOf(FIXTURE, "redis").vsBaseline));
  });

  it("renders a missing hit ratio as a dash", () => {
    const none = cost?.rows.find((row) => row[0] === "none");
    expect(none?.[2]).toBe("–");
    expect(cost?.rows.find((row) => row[0] === "memory")?.[2]).toMatch(/%$/);
  });
});

describe("verdictLines", () => {
  it("reports a significant change with its ratio, CI and p", () => {
    const redis = summaryOf(FIXTURE, "redis").vsBaseline;
    expect(redis?.significant).toBe(true);
    expect(verdictLines(FIXTURE)).toContain(
      `redis: ${fmtComparison(redis).replace(" [", " none throughput [")}, significant (p=0.008)`,
    );
    expect(verdictLines(FIXTURE).find((line) => line.startsWith("none:"))).toMatch(
      /^none: 0\.\d\d× ceiling throughput \[/,
    );
    expect(verdictLines(FIXTURE).some((line) => line.startsWith("ceiling"))).toBe(false);
  });

  it("changes its wording when the data show no significant difference", () => {
    const results = fixture();
    const redis = summaryOf(results, "redis");
    redis.vsBaseline = compare(
      [11_900, 11_700, 12_100, 11_800, 12_000],
      [11_850, 12_050, 11_750, 11_950, 11_900],
    );
    expect(redis.vsBaseline.significant).toBe(false);
    // What the runs rule out: no change larger than they could detect.
    const line = `redis: no significant difference from none (p=${redis.vsBaseline.p.toFixed(2)}, ${fmtComparison(redis.vsBaseline)}; detects ${fmtDetectable(redis.vsBaseline.detectable)})`;
    expect(redis.vsBaseline.detectable).toBeGreaterThan(0.01);
    expect(redis.vsBaseline.detectable).toBeLessThan(0.1);
    expect(verdictLines(results)).toContain(line);
    expect(unwrap(renderTables(results))).toContain(line);
    expect(renderMarkdown(results)).toContain(line);
    expect(renderMarkdown(results)).not.toContain("redis: 1.79× none");
  });
});

describe("warningLines", () => {
  it("lists the invalid run with its reason, generator saturation and the small-sample CI", () => {
    const warnings = warningLines(FIXTURE);
    expect(warnings).toContain(
      "memory round 3 invalid: 2.3% of requests errored (6702 socket errors; limit 0.1%)",
    );
    expect(warnings.some((w) => /^ceiling round 2: .*saturated/.test(w))).toBe(true);
    // The verdict for memory rests on the 4 rounds it shares with none, not on none's 5 runs.
    expect(warnings).toContain(
      "memory against none: only 4 paired rounds, so the interval of the ratio covers the true" +
        " ratio 87.5% of the time, not 95%",
    );
  });

  it("lets a change stand that is over twice its rounds' spread, however noisy they were", () => {
    // Ratios of 1.45× to 2.2×: spread about 16%, change about 80%.
    const wide = compare([145, 220, 160, 200, 180, 175], [100, 100, 100, 100, 100, 100]);
    expect(wide.ratioSpread).toBeGreaterThan(0.1);
    expect(guarded([], "memory", "none", wide)?.withheld).toBeNull();
    // The same spread around 1.15×: the rounds could have made it.
    const small = compare([100, 135, 105, 130, 115, 115], [100, 100, 100, 100, 100, 100]);
    expect(small.ratioSpread).toBeGreaterThan(0.1);
    expect(guarded([], "memory", "none", small)?.withheld).toMatch(/is not 2 times that$/);
  });

  it("withholds a verdict whose rounds disagree, or whose machine was busy, saying why", () => {
    const results = fixture();
    results.skipped.push({ mode: "target", reason: "no --target given" });
    // redis's ratio to none swings from 0.85× to 1.35× from round to round, around 1.
    const swings = [0.85, 1.35, 0.9, 1.3, 1];
    for (const run of results.runs.filter((r) => r.mode === "redis")) {
      const none = results.runs.find((r) => r.mode === "none" && r.round === run.round);
      run.rps = (none?.rps ?? 0) * (swings[run.round - 1] ?? 1);
    }
    // Something else took most of a core while memory ran in round 2.
    const busy = results.runs.find((run) => run.mode === "memory" && run.round === 2);
    if (busy) {
      busy.otherLoad = { coreShare: 0.8, busiest: [{ pid: 7, name: "tar", coreShare: 0.8 }] };
    }
    results.summaries = summarizeModes(results);
    const verdicts = verdictLines(results);
    expect(verdicts.find((line) => line.startsWith("redis:"))).toMatch(
      /^redis: too noisy to conclude against none \(p=.*\): its per-round ratios spread ±\d+%, over 10%, and its change \(\d+%\) is not 2 times that$/,
    );
    expect(verdicts.find((line) => line.startsWith("memory:"))).toMatch(
      /: other processes used up to 0\.800 of a core \(limit 0\.25\) in round 2: tar 0\.800$/,
    );
    const warnings = warningLines(results);
    expect(
      warnings.some((line) => line.startsWith("redis: throughput verdict withheld, too noisy:")),
    ).toBe(true);
    expect(warnings).toContain("target skipped: no --target given");
  });

  it("has no small-sample warning once every verdict rests on 6 paired rounds", () => {
    const results = fixture();
    const six = compare([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7]);
    for (const s of results.summaries) {
      s.vsBaseline = six;
      s.vsCeiling = six;
    }
    expect(warningLines(results).some((w) => w.includes("paired rounds"))).toBe(false);
  });
});

describe("renderTables", () => {
  const output = renderTables(FIXTURE);

  it("starts with what was run and has a row for every mode in both tables", () => {
    expect(output.split("\n")[0]).toBe(
      "auth-cache-bench: read scenario, sqlite store, 50 connections, 10 s × 5 runs (3 s warm-up)",
    );
    for (const mode of MODES) {
      expect(output.match(new RegExp(`^│ ${mode} +│`, "gm"))).toHaveLength(3);
    }
    expect(output).toContain("Throughput, and latency at saturation (closed loop)");
    expect(output).toContain("Cost per request");
  });

  it("includes the invalid run's reason and the verdicts", () => {
    expect(unwrap(output)).toContain("2.3% of requests errored (6702 socket errors; limit 0.1%)");
    for (const line of verdictLines(FIXTURE)) expect(unwrap(output)).toContain(line);
  });

  it("fits in 100 columns, even with long warnings", () => {
    const results = fixture();
    results.runs[0]?.reasons.push("x ".repeat(120).trim());
    for (const text of [output, renderTables(results)]) {
      expect(Math.max(...text.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
    }
  });

  it("has no colour codes", () => {
    expect(output).not.toContain("\u001b[");
  });
});

describe("open-loop and capacity reports", () => {
  const closed = handMadeResults({
    none: steady(NONE),
    memory: steady({ ...NONE, rps: 24_000, p99: 4500 }, 1),
  });

  it("shows response time at the offered rate with service time, schedule lag and drops", () => {
    const results = asOpenLoop(closed, 5000);
    const output = unwrap(renderTables(results));
    expect(output).toContain("open loop at 5000 req/s (uniform), ≤ 64 connections");
    expect(output).toContain(
      "Response time at 5.00k req/s offered (open loop, uniform arrivals, from the planned send)",
    );
    for (const column of ["service", "lag p99", "dropped", "p99 × none", "generator"]) {
      expect(output).toContain(column);
    }
    expect(output).toContain("Verdict (p99 response time)");
    expect(output).not.toContain("Throughput, and latency at saturation");
    const markdown = renderMarkdown(results);
    expect(markdown).toContain("an open loop at 5000 req/s offered");
    expect(markdown).toContain("no coordinated omission");
  });

  it("flags a late generator and a mode past its capacity, in its rounds", () => {
    const results = asOpenLoop(closed, 5000);
    for (const run of results.runs.filter((r) => r.mode === "none" && r.round <= 2)) {
      if (!run.openLoop) throw new Error("no open loop");
      run.openLoop.generatorLate = true;
      run.openLoop.scheduleLagUs = { p50: 5, p90: 60, p99: 450, p999: 900, max: 2000, mean: 20 };
      run.openLoop.saturated = true;
      run.openLoop.dropped = 12;
      run.rps = 4100;
    }
    const lines = warningLines(results);
    expect(lines).toContain(
      "none rounds 1, 2: the generator sent late (schedule lag p99 up to 450 µs, above 100 µs):" +
        " response times are only as good as that lag; just before, a bare spin lost up to 0.1%" +
        " of its time to the rest of the machine, in pauses of up to 120 µs",
    );
    expect(lines).toContain(
      "none rounds 1, 2: past its capacity at 5.00k req/s (24 dropped, as few as 4.10k req/s completed): its response times include the backlog",
    );
  });

  it("shows each mode's capacity at the SLO with its ratio to none and the closed loop beside it", () => {
    const results = asCapacity(closed);
    const output = unwrap(renderTables(results));
    expect(output).toContain("capacity at p99 ≤ 5 ms");
    expect(output).toContain(
      "Capacity at SLO: the highest offered rate with p99 ≤ 5 ms and nothing dropped (open loop)",
    );
    expect(output).toContain("The closed-loop run before each search");
    expect(output).toContain("Verdict (capacity at SLO)");
    expect(output).toMatch(/memory: 2\.\d\d× none capacity at SLO \[/);
    expect(
      Math.max(
        ...renderTables(results)
          .split("\n")
          .map((l) => l.length),
      ),
    ).toBeLessThanOrEqual(100);
    const memory = summaryOf(results, "memory");
    expect(memory.capacity?.capacity?.median).toBeCloseTo(24_000 * 0.7, -2);
    expect(memory.capacity?.steps).toBe(4 * results.options.runs);
    expect(memory.capacity?.generatorOnTimeUpTo).toBe(
      Math.max(
        ...results.runs
          .filter((r) => r.mode === "memory")
          .flatMap((r) => r.capacity?.steps.map((s) => s.rate) ?? []),
      ),
    );
  });
});

describe("renderMarkdown", () => {
  // Lines starting with a pipe, grouped into the tables they form.
  function tables(markdown: string): string[][] {
    const groups: string[][] = [];
    let current: string[] | null = null;
    for (const line of markdown.split("\n")) {
      if (line.startsWith("|")) {
        if (!current) {
          current = [];
          groups.push(current);
        }
        current.push(line);
      } else {
        current = null;
      }
    }
    return groups;
  }
  const pipes = (line: string): number => line.match(/(?<!\\)\|/g)?.length ?? 0;

  it("has every section and a row for every mode in both summary tables", () => {
    const markdown = renderMarkdown(FIXTURE);
    for (const heading of [
      "## Throughput, and latency at saturation (closed loop)",
      "## Cost per request",
      "## Verdict",
      "## Claims",
      "## Warnings",
      "## Method",
      "## Provenance",
      "## Options",
    ]) {
      expect(markdown).toContain(`\n${heading}`);
    }
    for (const mode of MODES) {
      expect(markdown.match(new RegExp(`^\\| ${mode} \\|`, "gm"))).toHaveLength(3);
    }
    expect(markdown).toContain("2.3% of requests errored (6702 socket errors; limit 0.1%)");
    expect(markdown).toContain("Mann-Whitney");
    expect(markdown).toContain(FIXTURE.provenance.git?.commit ?? "no commit");
  });

  it("writes tables whose rows all have the same number of cells, escaping pipes", () => {
    const results = fixture();
    results.options.out = "reports/a|b";
    results.provenance.machine.cpuModel = "CPU | with | pipes";
    const markdown = renderMarkdown(results);
    expect(markdown).toContain("reports/a\\|b");
    expect(markdown).toContain("CPU \\| with \\| pipes");
    const found = tables(markdown);
    // Throughput, cost, resources, claims, provenance, options.
    expect(found).toHaveLength(6);
    for (const table of found) {
      expect(table[1]).toMatch(/^\|(?:-{3}:?\|)+$/);
      const counts = new Set(table.map(pipes));
      expect(counts.size).toBe(1);
    }
  });

  it("keeps URL passwords out of the options table", () => {
    const results = fixture();
    results.options.databaseUrl = "postgres://bench:s3cret@db:5432/bench";
    const markdown = renderMarkdown(results);
    expect(markdown).not.toContain("s3cret");
    expect(markdown).toContain("postgres://bench:***@db:5432/bench");
  });
});

describe("collectProvenance", () => {
  const services = { redis: "7.4.2", postgres: null, sqlite: "3.49.1" };

  it("describes this machine, Node, the project and its checkout", async () => {
    const provenance = await collectProvenance({ services, passwordCost: "ln=14,r=8,p=1" });
    expect(provenance.node).toBe(process.version);
    expect(provenance.machine.cores).toBeGreaterThan(0);
    expect(provenance.machine.memoryBytes).toBeGreaterThan(0);
    expect(provenance.tool.name).toBe("auth-cache-bench");
    expect(provenance.tool.version).not.toBe("unknown");
    expect(provenance.packages["cli-table3"]).toMatch(/^\d+\.\d+\.\d+/);
    expect(provenance.services).toEqual(services);
    expect(provenance.passwordCost).toBe("ln=14,r=8,p=1");
    if (provenance.git !== null) expect(provenance.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(Number.isNaN(Date.parse(provenance.createdAt))).toBe(false);
  });

  it("gives no commit outside a git checkout instead of throwing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "provenance-"));
    try {
      const provenance = await collectProvenance({ services, passwordCost: null, cwd: dir });
      expect(provenance.git).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { describe, expect, it } from "vitest";
import { type ClaimResult, claimLines, claims, NO_CLAIMS } from "../bench/load/claims.js";
import { summarizeModes } from "../bench/load/derive.js";
import { renderMarkdown } from "../bench/load/markdown.js";
import type { LoadMode, LoadResults } from "../bench/load/schema.js";
import { renderTables } from "../bench/load/terminal.js";
import {
  asCapacity,
  asOpenLoop,
  handMadeResults,
  NONE,
  steady,
} from "./fixtures/hand-made-results.js";
import { loadFixture } from "./fixtures/load-fixture.js";

const FIXTURE: LoadResults = loadFixture();

function verdict(found: readonly ClaimResult[], id: number, mode: LoadMode) {
  const claim = found.find((c) => c.id === id);
  const v = claim?.verdicts.find((x) => x.mode === mode);
  if (!v) throw new Error(`no verdict for claim ${id}, ${mode}`);
  return v;
}

// memory: twice as fast, half the CPU, no store lookups, but a bigger heap.
const MEMORY = steady(
  {
    ...NONE,
    rps: 24_000,
    p50: 2000,
    p99: 4500,
    cpu: 39,
    rss: 115e6,
    lookups: 0,
    hitRatio: 1,
    localEntries: 100,
  },
  1,
);
// redis: slower than asking the store, and more CPU.
const REDIS = steady(
  { ...NONE, rps: 8000, p50: 6000, p99: 14_000, cpu: 110, rss: 100e6, lookups: 0, hitRatio: 1 },
  2,
);
// tiered: within the noise of none on every figure.
const TIERED = steady({ ...NONE, lookups: 1, hitRatio: 0.5 }, 3);

describe("claims", () => {
  const results = handMadeResults({
    ceiling: steady({ ...NONE, rps: 40_000, lookups: 0 }, 4),
    none: steady(NONE),
    memory: MEMORY,
    redis: REDIS,
    tiered: TIERED,
  });
  results.entryWeights = { folder: "reports/micro", bytesPerEntry: 300, bytesPerSlot: 44 };
  results.summaries = summarizeModes(results);
  const found = claims(results);

  it("tests the six claims, each with a verdict for every cache mode and none for the others", () => {
    expect(found.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(found.map((c) => c.by)).toEqual([
      "article",
      "article",
      "article",
      "article",
      "article",
      "reader",
    ]);
    for (const claim of found) {
      expect(claim.verdicts.map((v) => v.mode)).toEqual(["memory", "redis", "tiered"]);
      expect(claim.figure.length).toBeGreaterThan(0);
    }
  });

  it("holds when the figures move the claimed way, significantly", () => {
    for (const id of [1, 2, 3]) expect(verdict(found, id, "memory").verdict).toBe("holds");
    // A closed loop's latency mirrors its throughput: claim (1) leaves it to an open-loop run.
    expect(verdict(found, 1, "memory").evidence).toEqual([
      expect.stringMatching(/^throughput 2\.\d\d× \[.*\] \(p=0\.00\d; detects ±\d\.\d%\)$/),
      expect.stringMatching(/^latency: a closed loop's is latency at saturation; .*--rate N/),
    ]);
    expect(verdict(found, 3, "redis").verdict).toBe("holds");
  });

  it("does not hold when a figure moves against the claim, even if another moves for it", () => {
    expect(verdict(found, 1, "redis").verdict).toBe("does not hold");
    expect(verdict(found, 2, "redis").verdict).toBe("does not hold");
    // memory spends less CPU and a bigger heap: what it holds and RSS are shown, not judged.
    expect(verdict(found, 5, "memory").verdict).toBe("holds");
    expect(verdict(found, 5, "memory").evidence).toEqual([
      expect.stringMatching(/^whole-system CPU\/req 0\.\d\d× /),
      "the cache holds 459 KiB (100 entries, 430 KiB of it the LRU's 10000 slots, allocated full or empty; weighed in reports/micro) at the end of a run (shown, not judged: none holds nothing by construction)",
      expect.stringMatching(
        /^RSS 1\.1\d× .* \(shown, not judged: the process's footprint, not what the cache holds\)$/,
      ),
    ]);
  });

  it("judges resources on the whole system: CPU moved into redis-server is not saved", () => {
    // The server spends less than with none, redis-server more than that difference.
    const shifted = handMadeResults({
      none: steady(NONE),
      redis: steady({ ...NONE, cpu: 60, serviceCpu: 40, lookups: 0, redisEntries: 100 }, 2),
    });
    const judged = claims(shifted);
    expect(verdict(judged, 2, "redis").verdict).toBe("holds");
    expect(verdict(judged, 5, "redis").verdict).toBe("does not hold");
    expect(verdict(judged, 5, "redis").evidence[0]).toMatch(/^whole-system CPU\/req 1\.2\d× /);
    expect(verdict(judged, 5, "redis").evidence[1]).toBe(
      "the cache holds 9.77 KiB (100 entries) at the end of a run (shown, not judged: none holds nothing by construction)",
    );

    // Where a service could not be read, the server's CPU stands in and says so.
    for (const run of shifted.runs) {
      run.system = {
        services: [{ service: "redis-server", cpuSeconds: null, why: "remote" }],
        cpuUsPerRequest: null,
      };
    }
    const unread = claims(shifted);
    expect(verdict(unread, 5, "redis").verdict).toBe("holds");
    expect(verdict(unread, 5, "redis").evidence[0]).toMatch(
      /^server CPU\/req \(whole-system CPU not measured\) 0\.7\d× /,
    );
  });

  it("is not significant when the figures stay within the noise", () => {
    for (const id of [1, 2, 3, 5]) {
      expect(verdict(found, id, "tiered").verdict).toBe("not significant");
    }
  });

  it("says what to run for the claims this kind of results cannot test", () => {
    for (const mode of ["memory", "redis", "tiered"] as const) {
      const concurrency = verdict(found, 4, mode);
      expect(concurrency.verdict).toBe("not measured in this report");
      expect(concurrency.evidence.join(" ")).toContain("npm run bench -- --capacity");
      const revocation = verdict(found, 6, mode);
      expect(revocation.verdict).toBe("not measured in this report");
      expect(revocation.evidence.join(" ")).toContain("npm run bench:revocation");
    }
  });

  it("cannot test a cache without none, and has no claims without a cache", () => {
    const noBaseline = handMadeResults({ memory: MEMORY, redis: REDIS });
    for (const claim of claims(noBaseline)) {
      for (const v of claim.verdicts) expect(v.verdict).toBe("not measured in this report");
    }
    expect(verdict(claims(noBaseline), 1, "memory").evidence[0]).toContain("--modes none,memory");
    const noCache = handMadeResults({ ceiling: steady(NONE), none: steady(NONE) });
    expect(claims(noCache)).toEqual([]);
    expect(renderMarkdown(noCache)).toContain(NO_CLAIMS);
  });

  it("cannot test a figure with no paired rounds", () => {
    const results = handMadeResults({ none: steady(NONE), memory: MEMORY });
    for (const run of results.runs) if (run.mode === "memory") run.server = null;
    const v = verdict(claims(results), 2, "memory");
    expect(v.verdict).toBe("not measured in this report");
    expect(v.evidence[0]).toContain("no rounds where both memory and none");
  });

  it("gives the fixture's verdicts from its data", () => {
    const fixture = claims(FIXTURE);
    expect(verdict(fixture, 1, "memory").verdict).toBe("holds");
    expect(verdict(fixture, 1, "redis").verdict).toBe("holds");
    // memory's 4 valid runs pair with none in 4 rounds: p = 0.029, the smallest 4 rounds allow.
    expect(verdict(fixture, 5, "memory").verdict).toBe("holds");
  });

  it("adjusts a claim's figures over its family (Holm): two figures at p = 0.029 count neither", () => {
    const fourRounds = asOpenLoop(
      handMadeResults({ none: steady(NONE), memory: MEMORY, redis: REDIS }, 4),
      5000,
    );
    const boost = verdict(claims(fourRounds), 1, "memory");
    expect(boost.verdict).toBe("not significant");
    expect(boost.evidence.slice(0, 2)).toEqual([
      expect.stringMatching(
        /^p50 response time 0\.\d\d× .*\(p=0\.029, 0\.057 over 2 \(Holm\); detects none \(too few runs\)\)$/,
      ),
      expect.stringMatching(/^p99 response time 0\.\d\d× .*\(p=0\.029, 0\.057 over 2 \(Holm\);/),
    ]);
  });
});

describe("claims of open-loop runs", () => {
  const closed = handMadeResults({ none: steady(NONE), memory: MEMORY, redis: REDIS });

  it("judges the boost at a common rate on response time, and leaves capacity to --capacity", () => {
    const found = claims(asOpenLoop(closed, 5000));
    const boost = verdict(found, 1, "memory");
    expect(boost.verdict).toBe("holds");
    expect(boost.evidence).toEqual([
      expect.stringMatching(/^p50 response time 0\.\d\d× /),
      expect.stringMatching(/^p99 response time 0\.\d\d× /),
      expect.stringMatching(/^capacity at SLO: judged by `npm run bench -- --capacity`/),
    ]);
    expect(verdict(found, 1, "redis").verdict).toBe("does not hold");
    expect(verdict(found, 4, "memory").verdict).toBe("not measured in this report");
  });

  it("judges the boost and the concurrency on capacity at SLO", () => {
    const found = claims(asCapacity(closed));
    for (const id of [1, 4]) {
      expect(verdict(found, id, "memory").verdict).toBe("holds");
      expect(verdict(found, id, "memory").evidence[0]).toMatch(/^capacity at SLO 2\.\d\d× /);
      expect(verdict(found, id, "redis").verdict).toBe("does not hold");
    }
    expect(verdict(found, 1, "memory").evidence[1]).toContain("--rate N");
  });
});

describe("claims in the views", () => {
  const results = handMadeResults({ none: steady(NONE), memory: MEMORY, redis: REDIS });

  it("has one short terminal line per claim, inside 100 columns", () => {
    const lines = claimLines(claims(results));
    expect(lines[0]).toBe("(1) performance boost: memory holds, redis does not hold");
    expect(lines[3]).toMatch(
      /^\(4\) more concurrency: not measured in this report: judged on capacity at SLO/,
    );
    const terminal = renderTables(results);
    expect(terminal).toContain("Claims (each cache mode against none)");
    expect(Math.max(...terminal.split("\n").map((line) => line.length))).toBeLessThanOrEqual(100);
  });

  it("is a Markdown table with a column per cache mode and the verdict in bold", () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain("## Claims");
    expect(markdown).toContain("| claim | tested by | memory | redis |");
    expect(markdown).toMatch(
      /\| \(1\) Caching the bearer token gives a significant performance boost \| .* \| \*\*holds\*\*: throughput /,
    );
    expect(markdown).toContain("(a reader's objection)");
  });
});

import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareCommand } from "../bench/compare/command.js";
import { crossover } from "../bench/map/derive.js";
import { renderMapHtml } from "../bench/map/html.js";
import { mapKind, readMapResults, runMap } from "../bench/map/index.js";
import { MAP_DEFAULTS, mapCommandOptions, parseDistance } from "../bench/map/options.js";
import { coldStartTable, renderMapTables } from "../bench/map/render.js";
import type { MapPoint, MapResults, Versus } from "../bench/map/schema.js";
import type { Comparison, Summary } from "../bench/stats/index.js";

/** A point where memory's throughput against none is significantly better (+1), worse (-1) or neither. */
function point(label: string, measuredMs: number, sign: -1 | 0 | 1): MapPoint {
  const comparison = { ratio: 1 + sign * 0.5, ci: [1, 1] } as unknown as Comparison;
  const versus: Versus = { comparison, sign };
  const none: Versus = { comparison: null, sign: 0 };
  const summary = {
    n: 6,
    median: measuredMs,
    ci: [measuredMs, measuredMs],
  } as MapPoint["measuredMs"];
  return {
    distance: { label, store: "postgres", addedMs: 0 },
    reports: null,
    status: "complete",
    reason: null,
    measuredMs: summary,
    addedDelayMs: null,
    skipped: [],
    coldStart: [],
    cells: [
      {
        mode: "memory",
        validRuns: 6,
        totalRuns: 6,
        rps: null,
        serverCpuUsPerRequest: null,
        systemCpuUsPerRequest: null,
        hitRatio: null,
        throughput: versus,
        systemCpu: none,
        p99: none,
        capacity: none,
      },
    ],
  };
}

const along = (...signs: (-1 | 0 | 1)[]) =>
  signs.map((sign, i) => point(`d${i}`, 10 ** i, sign)).reverse();

describe("the crossover against none", () => {
  it("lies between the last significant loss and the first significant win, by measured distance", () => {
    // Given out of order: the axis is the measured distance.
    expect(crossover(along(-1, -1, 0, 1, 1), "memory", "throughput")).toEqual({
      kind: "between",
      from: "d1",
      to: "d3",
    });
  });

  it("says when a mode wins everywhere, or never in the range", () => {
    expect(crossover(along(1, 1, 1), "memory", "throughput")).toEqual({ kind: "wins everywhere" });
    expect(crossover(along(-1, 0, -1), "memory", "throughput")).toEqual({
      kind: "never wins in this range",
    });
  });

  it("is not located without a significant neighbour, or when wins and losses alternate", () => {
    expect(crossover(along(0, 1, 1), "memory", "throughput")).toEqual({
      kind: "not located",
      why: "no distance where it loses significantly; it first wins at d1",
    });
    expect(crossover(along(0, 0, 0), "memory", "throughput")).toEqual({
      kind: "not located",
      why: "no significant difference at any distance",
    });
    expect(crossover(along(1, -1, 1), "memory", "throughput").kind).toBe("not located");
    expect(crossover(along(1, 1), "redis", "throughput")).toEqual({
      kind: "not located",
      why: "not measured at any distance",
    });
  });
});

describe("the cold-start column", () => {
  it("gives each arm's time to steady and the store's peak at every distance", () => {
    const summary = (median: number) => ({ n: 6, median, ci: [median, median] }) as Summary;
    const [near, far] = [point("sqlite", 0.005, 1), point("postgres+10", 10, 1)];
    if (!near || !far) throw new Error("no points");
    near.coldStart = [
      {
        mode: "memory",
        variant: "single-flight on",
        steadyHitRatio: summary(0.7),
        timeToSteadyMs: summary(500),
        peakLookupsPerSecond: summary(7000),
      },
    ];
    far.coldStart = [
      {
        mode: "memory",
        variant: "single-flight off",
        steadyHitRatio: summary(0.7),
        timeToSteadyMs: summary(900),
        peakLookupsPerSecond: summary(2500),
      },
    ];
    const table = coldStartTable({ points: [far, near] } as MapResults);
    expect(table?.header).toEqual([
      "distance (measured)",
      "memory (single-flight off)",
      "memory (single-flight on)",
    ]);
    expect(table?.rows).toEqual([
      ["sqlite (5.00 µs)", "–", "500 ms\n7.00k/s peak"],
      ["postgres+10 (10.0 ms)", "900 ms\n2.50k/s peak", "–"],
    ]);
    expect(coldStartTable({ points: [point("x", 1, 0)] } as MapResults)).toBeNull();
  });
});

describe("--distances", () => {
  it("reads real stores and delays a timer can add", () => {
    expect(parseDistance("postgres+3")).toEqual({
      label: "postgres+3",
      store: "postgres",
      addedMs: 3,
    });
    expect(MAP_DEFAULTS.distances.map((d) => d.label)).toEqual([
      "sqlite",
      "postgres",
      "postgres+1",
      "postgres+3",
      "postgres+10",
    ]);
  });

  it.each([
    ["postgres+0.5", "the added delay must be 0 or at least 1: Node's timers resolve about 1 ms"],
    ["mysql", '"mysql" is not a distance; give sqlite or postgres'],
    ["sqlite,sqlite", "each distance once"],
    ["sqlite", "--distances must name at least two distances"],
  ])("refuses %j naming the flag", (value, message) => {
    expect(() => mapCommandOptions(["--distances", value], {})).toThrow(
      expect.objectContaining({
        code: "ACB_CONFIG_INVALID",
        message: expect.stringContaining(message),
      }),
    );
  });

  it("always runs none, which the others are compared with", () => {
    expect(mapCommandOptions(["--modes", "redis"], {}).modes).toEqual(["none", "redis"]);
  });
});

describe("a small map, measured", () => {
  let dir: string;
  let results: MapResults;
  let folder: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "acb-map-"));
    const options = {
      ...MAP_DEFAULTS,
      distances: [parseDistance("sqlite"), parseDistance("sqlite+2")],
      modes: ["none" as const, "memory" as const],
      duration: 1,
      warmup: 0,
      runs: 1,
      users: 10,
      out: dir,
    };
    const { json: _, ...mapOptions } = options;
    const ran = await runMap(mapOptions, () => {}, new AbortController().signal, {
      entryWeights: async () => null,
      revocation: async (_out, store) => ({
        folder: `reports/revocation-${store}`,
        cacheTtl: 60,
        tokenTtl: null,
        modes: { memory: { exposureMs: 59_800, revokedBeforeExpiry: null } },
      }),
    });
    results = ran.results;
    folder = ran.folder.dir;
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("runs a load benchmark per distance and reads the distance each measured", () => {
    expect(results.status).toBe("complete");
    expect(results.points.map((p) => [p.distance.label, p.status])).toEqual([
      ["sqlite", "complete"],
      ["sqlite+2", "complete"],
    ]);
    const [near, far] = results.points;
    // SQLite answers in microseconds; 2 ms added by a timer land at 2 ms and a little.
    expect(near?.measuredMs?.median).toBeLessThan(1);
    expect(near?.addedDelayMs).toBeNull();
    expect(far?.addedDelayMs?.median).toBeGreaterThanOrEqual(2);
    expect(far?.measuredMs?.median).toBeGreaterThanOrEqual(far?.addedDelayMs?.median ?? 0);
    for (const p of results.points) {
      expect(p.cells.map((c) => c.mode)).toEqual(["none", "memory"]);
      expect(p.cells[1]?.throughput.comparison?.ratio).toBeGreaterThan(0);
      expect(p.cells[1]?.systemCpuUsPerRequest?.median).toBeGreaterThan(0);
      expect(p.reports).toMatchObject({ open: null, coldStart: null });
    }
  });

  it("keeps each distance's load report, and writes its own, which npm run report reads back", async () => {
    const file = join(folder, "results.json");
    const again = await readMapResults(file);
    expect(again.schema).toBe(mapKind.schema);
    const load = JSON.parse(
      await readFile(
        join(folder, results.points[0]?.reports?.closed ?? "", "results.json"),
        "utf8",
      ),
    );
    expect(load.options.store).toBe("sqlite");
    expect(await readFile(join(folder, "report.md"), "utf8")).toContain("## Crossovers");
  });

  it("states each mode's revocation promise and what the revocation report measured", () => {
    expect(results.exposure).toEqual([
      expect.objectContaining({ mode: "none", promisedMs: 0, measuredMs: null }),
      expect.objectContaining({
        mode: "memory",
        promisedMs: 60_000,
        measuredMs: 59_800,
        report: "reports/revocation-sqlite",
      }),
    ]);
  });

  it("is compared with another map by the gate, distance by distance, and never with a load result", async () => {
    const lines: string[] = [];
    const code = await compareCommand([folder, folder], (text) => lines.push(text));
    const text = lines.join("");
    expect(text).toMatch(
      /^Map: (pass|cannot judge) over 2 distances \(alpha shared out over them\)/,
    );
    expect(text).toContain("== at sqlite ==");
    expect(text).toContain("== at sqlite+2 ==");
    expect([0, 2]).toContain(code);
    const load = join(folder, results.points[0]?.reports?.closed ?? "");
    await expect(compareCommand([folder, load], () => {})).rejects.toMatchObject({
      code: "ACB_COMPARE_INPUT",
      message: expect.stringContaining("compare like with like"),
    });
  });

  it("prints within 100 columns, and one run a round can locate nothing, which it says", () => {
    const text = renderMapTables(results);
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
    expect(text).toContain("with 1 rounds no comparison can reach p < 0.05");
    expect(results.crossovers.every((c) => c.crossover.kind === "not located")).toBe(true);
    const html = renderMapHtml(results);
    for (const id of ["decision", "crossovers", "charts", "exposure"]) {
      expect(html).toContain(`id="${id}"`);
    }
    // The exposure of none is zero: drawn at the floor of the log axis, and labelled so.
    expect(html).toContain("none (0)");
  });
});

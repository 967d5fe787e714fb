import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKind } from "../bench/load/kind.js";
import type { LoadResults } from "../bench/load/schema.js";
import { latestRevocation, latestThroughput } from "../bench/references.js";
import { upgradeResults } from "../bench/report/read.js";
import { handMadeRevocation } from "./fixtures/revocation-results.js";

const CLUSTER = ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"];
let out: string;

/** Writes `results` as the report folder `name` under `out`; names sort by time. */
async function report(name: string, results: object): Promise<void> {
  await mkdir(join(out, name));
  await writeFile(join(out, name, "results.json"), JSON.stringify(results));
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), "acb-references-"));
  const fixture = JSON.parse(
    await readFile(new URL("./fixtures/load-results.json", import.meta.url), "utf8"),
  );
  const load = upgradeResults<LoadResults>(loadKind, fixture);
  const onCluster = { ...load, options: { ...load.options, redisCluster: CLUSTER } };
  // The newer reports ran against one Redis: a cluster's run must not read them.
  await report("2026-12-01T00-00-00Z-read", onCluster);
  await report("2026-12-01T00-00-01Z-read", load);
  const revocation = handMadeRevocation();
  await report("2026-12-01T00-00-02Z-revocation", {
    ...revocation,
    options: { ...revocation.options, redisCluster: CLUSTER },
  });
  await report("2026-12-01T00-00-03Z-revocation", revocation);
  // Newer still, and never read: a load run of targets, a revocation run of --probe instances.
  const target = { name: "target", url: "http://h:1", api: null, metrics: null, pid: null };
  await report("2026-12-01T00-00-04Z-read", {
    ...load,
    options: { ...load.options, targets: [target] },
  });
  await report("2026-12-01T00-00-05Z-revocation", {
    ...revocation,
    options: { ...revocation.options, probes: ["http://h:1"] },
  });
});
afterAll(() => rm(out, { recursive: true, force: true }));

describe("what one report reads of another", () => {
  it("reads the newest load report of the same store and the same Redis deployment, of our modes", async () => {
    const store = "sqlite";
    expect((await latestThroughput(out, store, CLUSTER))?.file).toContain("00-00-00Z");
    expect((await latestThroughput(out, store))?.file).toContain("00-00-01Z");
    expect(await latestThroughput(out, store, ["10.0.0.1:7000"])).toBeNull();
  });

  it("reads the newest revocation report of the same store and the same Redis deployment, of our modes", async () => {
    expect((await latestRevocation(out, "sqlite", CLUSTER))?.folder).toContain("00-00-02Z");
    expect((await latestRevocation(out, "sqlite"))?.folder).toContain("00-00-03Z");
  });
});

import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { onCpus, pinHarness, pinningPlan } from "../bench/harness/cpu-pinning.js";
import { spawnServer } from "../bench/harness/spawn-server.js";
import { loadCommandOptions } from "../bench/load/options.js";

/** The CPUs a process may run on, as taskset lists them ("0", "1", "0,1", "0-3"). */
const affinity = (pid: number): string =>
  execFileSync("taskset", ["-c", "-p", String(pid)], { encoding: "utf8" })
    .split(":")
    .at(-1)
    ?.trim() ?? "";

const linux = platform() === "linux" && cpus().length >= 2;

describe.skipIf(!linux)("--pin-cpus", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "acb-pin-"));
  });
  afterAll(async () => {
    pinHarness(null);
    await rm(dir, { recursive: true, force: true });
  });

  it("puts the generator on CPU 0 and the servers on the others", async () => {
    const plan = pinningPlan();
    expect(plan).toEqual({
      generator: "0",
      servers: cpus().length === 2 ? "1" : `1-${cpus().length - 1}`,
    });
    if (typeof plan === "string") return;
    const before = affinity(process.pid);
    pinHarness(plan.generator);
    expect(affinity(process.pid)).toBe("0");
    pinHarness(null);
    expect(affinity(process.pid)).toBe(before);

    const server = await spawnServer(
      ["--port", "0", "--sqlite-path", join(dir, "auth.sqlite"), "--log-level", "silent"],
      onCpus(plan.servers),
    );
    try {
      expect(affinity(server.child.pid as number)).toBe(plan.servers);
      expect(server.ready.event).toBe("ready");
    } finally {
      await server.stop();
    }
  });
});

describe("--pin-cpus options", () => {
  it("takes off, on or both, and both only in the closed loop", () => {
    expect(loadCommandOptions([], {}).pinCpus).toBe("off");
    expect(loadCommandOptions(["--pin-cpus", "both"], {}).pinCpus).toBe("both");
    expect(() => loadCommandOptions(["--pin-cpus", "some"], {})).toThrow(
      /--pin-cpus must be one of off, on, both/,
    );
    expect(() => loadCommandOptions(["--pin-cpus", "both", "--rate", "100"], {})).toThrow(
      /--pin-cpus both compares pinned and unpinned throughput in the closed loop/,
    );
  });
});

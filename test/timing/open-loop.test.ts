import type { ChildProcess } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { runAutocannon } from "../../bench/harness/autocannon-run.js";
import { findCapacity } from "../../bench/harness/capacity.js";
import { clockFloor } from "../../bench/harness/clock-floor.js";
import { type OpenLoopSettings, runOpenLoop } from "../../bench/harness/open-loop.js";
import type { ScenarioPlan } from "../../bench/harness/scenarios.js";
import { startServer } from "../helpers/process.js";

// Every server here is test/fixtures/timing-server.mjs in a process of its own, so that its
// stalls and its service time are its own and not the generator's.
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

async function timingServer(args: string[]): Promise<string> {
  const { child, ready } = await startServer(args, [
    process.execPath,
    "test/fixtures/timing-server.mjs",
  ]);
  children.push(child);
  return ready.url as string;
}

const plan: ScenarioPlan = {
  describe: "GET /",
  requests: [{ method: "GET", path: "/", headers: {}, expect: 200 }],
};
const settings = (rate: number, over: Partial<OpenLoopSettings> = {}): OpenLoopSettings => ({
  rate,
  seconds: 2,
  arrivals: "uniform",
  connections: 64,
  maxInFlight: rate,
  ...over,
});

describe("the open-loop generator against a server that stalls 200 ms every second", () => {
  // S = 200 ms of every P = 1000 ms: a share S/P of the requests wait, uniformly between 0 and S,
  // so the p99 response time is S·(1 − 0.01·P/S) = 190 ms.
  const analyticP99Us = 190_000;

  it("counts every request due during a stall from its planned send", {
    timeout: 40_000,
  }, async () => {
    const url = await timingServer(["--stall-ms", "200", "--period-ms", "1000"]);
    const few = await runOpenLoop(url, plan, settings(500, { seconds: 5, connections: 2 }));
    const many = await runOpenLoop(url, plan, settings(500, { seconds: 5, connections: 200 }));
    const closed = await runAutocannon(url, plan, { connections: 10, seconds: 3, record: true });
    console.log(
      `stall: response-time p99 ${few.latencyUs?.p99} µs with 2 connections (service ${few.serviceTimeUs?.p99} µs), ` +
        `${many.latencyUs?.p99} µs with 200 (service ${many.serviceTimeUs?.p99} µs); ` +
        `autocannon's closed loop p99 ${closed.latencyUs?.p99} µs`,
    );
    for (const run of [few, many]) {
      expect(run.unexpected).toBe(0);
      expect(run.latencyUs?.p99).toBeGreaterThan(analyticP99Us * 0.85);
      expect(run.latencyUs?.p99).toBeLessThan(analyticP99Us * 1.15);
    }
    // With 2 connections the requests due during a stall wait in the generator, unsent.
    expect(few.connectionsUsed).toBe(2);
    expect(few.serviceTimeUs?.p99).toBeLessThan(analyticP99Us / 4);
    // With 200 they are written on time and wait in the server: service time is response time.
    expect(many.serviceTimeUs?.p99).toBeGreaterThan((many.latencyUs?.p99 ?? 0) * 0.85);
  });
});

describe("the open-loop generator against a server that keeps up", () => {
  it("completes the offered rate, on schedule", { timeout: 20_000 }, async () => {
    const url = await timingServer([]);
    const before = clockFloor(300).pausedShare;
    const run = await runOpenLoop(url, plan, settings(1000, { seconds: 3 }));
    // The machine's pauses, before and after the run: the worst stands for the run itself.
    const lost = Math.max(before, clockFloor(300).pausedShare);
    console.log(
      `1,000 req/s: achieved ${run.rps.toFixed(1)}, lag p99 ${run.scheduleLagUs?.p99} µs, ` +
        `the machine lost up to ${(lost * 100).toFixed(2)}% of a bare spin to others around it`,
    );
    expect(run.unexpected).toBe(0);
    expect(run.dropped).toBe(0);
    expect(run.saturated).toBe(false);
    expect(Math.abs(run.rps - 1000) / 1000).toBeLessThan(0.01);
    // On an idle box the schedule holds to 100 µs; a busy one (a parallel test file, the
    // hypervisor) pauses the generator for whole time slices, which the lag must then show. A
    // box that took 0.5% of a spin's time once took more in the 3 s between (CI saw 194 µs):
    // idle means a tenth of that, on both sides of the run.
    if (lost < 0.001) expect(run.scheduleLagUs?.p99).toBeLessThan(100);
    else expect(run.scheduleLagUs?.p99).toBeLessThan(20_000);
    expect(run.generatorLate).toBe((run.scheduleLagUs?.p99 ?? 0) > 100);
  });

  it("sends uniform arrivals evenly and Poisson arrivals with exponential gaps", async () => {
    const url = await timingServer([]);
    const uniform = await runOpenLoop(url, plan, settings(500));
    const poisson = await runOpenLoop(url, plan, settings(500, { arrivals: "poisson", seed: 7 }));
    expect(uniform.sendGapCv).toBeLessThan(0.25);
    expect(poisson.sendGapCv).toBeGreaterThan(0.85);
    expect(poisson.sendGapCv).toBeLessThan(1.15);
    expect(poisson.planned).toBeGreaterThan(800);
    expect(poisson.planned).toBeLessThan(1200);
  });
});

describe("the open-loop generator past a server's capacity", () => {
  it("drops what exceeds its backlog and marks the run saturated", async () => {
    // 2 ms of CPU per request: about 500 req/s at most.
    const url = await timingServer(["--service-us", "2000"]);
    const run = await runOpenLoop(url, plan, settings(1500, { maxInFlight: 100 }));
    expect(run.unexpected).toBe(0);
    expect(run.dropped).toBeGreaterThan(0);
    expect(run.saturated).toBe(true);
    expect(run.rps).toBeLessThan(600);
  });

  it("finds the capacity of a server with a fixed service time", { timeout: 60_000 }, async () => {
    // One answer per 5 ms at most: a capacity of exactly 200 req/s.
    const url = await timingServer(["--pace-us", "5000"]);
    // Warm, as the benchmark warms every server before its search: a first step that also opens
    // connections and compiles the server's code can break the SLO at any rate.
    await runOpenLoop(url, plan, settings(100, { seconds: 0.5 }));
    const search = await findCapacity(url, plan, {
      seconds: 2,
      arrivals: "uniform",
      connections: 64,
      // Loose enough that a pause of the machine does not fail a rate the server carries, tight
      // enough that a queue growing for 2 s at 5% past capacity (100 ms behind) does.
      sloP99Ms: 60,
      startRate: 120,
      precision: 0.05,
      maxSteps: 12,
      minRate: 10,
    });
    console.log(
      `capacity: ${search.capacity} req/s (broken at ${search.brokenAt}) after ${search.steps.map((s) => `${s.rate}${s.passed ? "✓" : "✗"}`).join(" ")}`,
    );
    expect(search.invalid).toBeNull();
    expect(Math.abs(search.capacity - 200) / 200).toBeLessThan(0.1);
    expect(search.brokenAt).not.toBeNull();
    expect(((search.brokenAt ?? 0) - search.capacity) / (search.brokenAt ?? 1)).toBeLessThanOrEqual(
      0.05,
    );
  });
});

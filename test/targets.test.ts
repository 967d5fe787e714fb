import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkApiDescription,
  OUR_API,
  readApiDescription,
} from "../bench/harness/api-description.js";
import { startTargetCpu } from "../bench/harness/target-cpu.js";
import { readTargetsFile } from "../bench/harness/targets.js";
import { login } from "../bench/harness/users.js";
import { loadCommandOptions } from "../bench/load/options.js";
import { runLoadBenchmark } from "../bench/load/run-load.js";
import { renderTables } from "../bench/load/terminal.js";
import { revocationOptions } from "../bench/revocation/options.js";
import { renderRevocationTable } from "../bench/revocation/render.js";
import { runRevocationBenchmark } from "../bench/revocation/run-revocation.js";
import { USERS } from "./helpers/app.js";
import { quietServerArgs, startServer } from "./helpers/process.js";

const OTHER_API = "docs/examples/other-api.json";
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "acb-targets-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The node:http server of test/helpers/other-api-server.mjs: its instances' URLs and its pid. */
async function startOtherServer(
  usersFile: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; urls: string[]; pid: number }> {
  const child = spawn(process.execPath, ["test/helpers/other-api-server.mjs", usersFile, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(
    createInterface({ input: child.stdout as NodeJS.ReadableStream }),
    "line",
  )) as [string];
  return { child, ...(JSON.parse(line) as { urls: string[]; pid: number }) };
}

const invalid = (json: unknown) => () =>
  checkApiDescription(JSON.parse(JSON.stringify(json)), "api.json");

describe("an API description", () => {
  it("describes our own API, which passes its own check", () => {
    expect(checkApiDescription(JSON.parse(JSON.stringify(OUR_API)), "ours")).toEqual(OUR_API);
    expect(readApiDescription(OTHER_API).protected.refused).toEqual([403]);
  });

  it("is refused in one line naming the file and the bad field", () => {
    const ours = JSON.parse(JSON.stringify(OUR_API));
    const cases: [unknown, RegExp][] = [
      [[], /^api.json: the description must be a JSON object$/],
      [
        { ...ours, login: { ...ours.login, path: "token" } },
        /^api.json: login.path must be a path/,
      ],
      [{ ...ours, login: { ...ours.login, token: "" } }, /login.token must be a non-empty string/],
      [{ ...ours, protected: { ...ours.protected, refused: [] } }, /protected.refused must be/],
      [
        { ...ours, protected: { ...ours.protected, method: "GOT" } },
        /protected.method must be one of/,
      ],
      [
        { ...ours, tokenHeader: { name: "x", value: "Bearer" } },
        /tokenHeader.value must be a string holding \{token\}/,
      ],
      [{ ...ours, logout: undefined }, /logout is missing/],
      [{ ...ours, extra: 1 }, /extra is not a field of an API description/],
      [
        { ...ours, logout: { ...ours.logout, expect: [99] } },
        /logout.expect must be a non-empty list/,
      ],
    ];
    for (const [json, message] of cases) {
      expect(invalid(json)).toThrow(message);
      expect(invalid(json)).toThrow(expect.objectContaining({ code: "ACB_CONFIG_INVALID" }));
    }
    expect(() => readApiDescription(join(dir, "missing.json"))).toThrow(
      /^--api .*missing.json: ENOENT/,
    );
  });
});

describe("logging in to a server the benchmark did not start", () => {
  it("waits for a server that paces its logins (429, 503), and names the user it refused", async () => {
    let asked = 0;
    const server = createServer((_request, response) => {
      asked += 1;
      if (asked <= 2) {
        response.writeHead(asked === 1 ? 503 : 429, { "retry-after": "0" });
        return response.end();
      }
      response.writeHead(asked === 3 ? 200 : 401, { "content-type": "application/json" });
      response.end(JSON.stringify({ access_token: "t" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const user = { username: "jane", password: "pw", role: "user" };
      expect(await login(url, user)).toEqual({ username: "jane", role: "user", token: "t" });
      await expect(login(url, user)).rejects.toThrow(
        /login of jane at .*\/token failed with HTTP 401/,
      );
    } finally {
      server.close();
    }
  });
});

describe("a targets file", () => {
  it("gives each target its settings, an API description beside it or inline", async () => {
    const file = join(dir, "targets.json");
    await writeFile(
      file,
      JSON.stringify([
        { name: "cached", url: "http://h:1/" },
        {
          name: "theirs",
          url: "http://h:2",
          api: join(process.cwd(), OTHER_API),
          metrics: { url: "http://h:2/prom", requests: "things_served_total" },
          pid: 42,
        },
      ]),
    );
    const [cached, theirs] = readTargetsFile(file, ["none"]);
    expect(cached).toEqual({
      name: "cached",
      url: "http://h:1",
      api: null,
      metrics: null,
      pid: null,
    });
    expect(theirs?.api?.login.path).toBe("/auth/login");
    expect(theirs?.metrics?.requests).toBe("things_served_total");
    expect(theirs?.pid).toBe(42);
  });

  it("is refused in one line naming the file and the entry's field", async () => {
    const file = join(dir, "bad-targets.json");
    const cases: [unknown, RegExp][] = [
      [{}, /must be a non-empty JSON list of targets/],
      [[{ url: "http://h:1" }], /\[0\].name must be a string/],
      [[{ name: "a", url: "ftp://h" }], /\[0\].url must be a http: or https: URL/],
      [[{ name: "a", url: "http://h", pid: -1 }], /\[0\].pid must be a process id/],
      [[{ name: "a", url: "http://h", metrics: { url: "http://h" } }], /\[0\].metrics must be/],
      [[{ name: "a", url: "http://h", api: { login: 1 } }], /\[0\].api: login must be an object/],
      [[{ name: "a", url: "http://h", port: 1 }], /\[0\].port is not a target's field/],
      [[{ name: "none", url: "http://h" }], /"none" is a mode's name/],
    ];
    for (const [json, message] of cases) {
      await writeFile(file, JSON.stringify(json));
      expect(() => readTargetsFile(file, ["none"])).toThrow(message);
    }
  });
});

describe("servers the benchmark does not start", () => {
  let ours: { child: ChildProcess; ready: Record<string, unknown> };
  let theirs: Awaited<ReturnType<typeof startOtherServer>>;
  let credentials: string;
  beforeAll(async () => {
    credentials = join(dir, "users.json");
    await writeFile(credentials, JSON.stringify(USERS));
    ours = await startServer([...quietServerArgs(join(dir, "ours.sqlite")), "--cache", "memory"]);
    theirs = await startOtherServer(credentials);
  });
  afterAll(() => {
    ours.child.kill();
    theirs.child.kill();
  });

  it("reads a target's CPU from its named Prometheus counter, or not at all", async () => {
    const [url] = theirs.urls as [string];
    const metrics = { url: `${url}/prom`, requests: "things_served_total" };
    const target = { name: "t", url, api: null, pid: null };
    const end = await startTargetCpu({ ...target, metrics });
    const cpu = await end?.(0);
    expect(cpu).toMatchObject({ source: "metrics", requests: 0, cpuUsPerRequest: null });
    const unnamed = await startTargetCpu({ ...target, metrics: { ...metrics, requests: "nope" } });
    expect(await unnamed?.(0)).toBeNull();
    expect(await startTargetCpu({ ...target, metrics: null })).toBeNull();
  });

  it("benchmarks several named targets, interleaved, with each one's server CPU", async () => {
    const file = join(dir, "three.json");
    const [other] = theirs.urls as [string];
    await writeFile(
      file,
      JSON.stringify([
        {
          name: "theirs-prom",
          url: other,
          api: join(process.cwd(), OTHER_API),
          metrics: { url: `${other}/prom`, requests: "things_served_total" },
        },
        { name: "theirs-pid", url: other, api: join(process.cwd(), OTHER_API), pid: theirs.pid },
      ]),
    );
    const options = loadCommandOptions(
      [
        "--target",
        `ours=${ours.ready.url}`,
        "--targets",
        file,
        "--reference",
        "theirs-pid",
        "--credentials",
        credentials,
        "--duration",
        "1",
        "--warmup",
        "0",
        "--runs",
        "2",
        "--connections",
        "4",
        "--out",
        dir,
      ],
      {},
    );
    const { results } = await runLoadBenchmark(options, () => {}, new AbortController().signal);
    expect(results.status).toBe("complete");
    expect(results.options.modes).toEqual(["ours", "theirs-prom", "theirs-pid"]);
    for (const run of results.runs) {
      expect([run.mode, run.status, run.unexpected]).toEqual([run.mode, "ok", 0]);
    }
    const first = (mode: string) => results.runs.find((run) => run.mode === mode);
    // Ours by its own /metrics (every figure); theirs by its counter and by its process.
    expect(first("ours")?.server?.cpuUsPerRequest).toBeGreaterThan(0);
    // Found by its port: the process listening on it, read from /proc as if its pid were given.
    expect(results.options.targets[0]?.pid).toBe(ours.child.pid);
    expect(first("ours")?.targetCpu).toMatchObject({ source: "proc" });
    expect(first("theirs-prom")?.server).toBeNull();
    expect(first("theirs-prom")?.targetCpu).toMatchObject({ source: "metrics" });
    expect(first("theirs-pid")?.targetCpu).toMatchObject({ source: "proc" });
    // The counter counts what the server answered; the process's CPU is divided by what the
    // generator counted: the same requests, one way or the other.
    const prom = first("theirs-prom")?.targetCpu?.requests ?? 0;
    const counted = first("theirs-prom")?.requests ?? 0;
    expect(Math.abs(prom - counted)).toBeLessThanOrEqual(0.01 * counted);
    // The target's own process is not the "other load" that withholds a verdict.
    const busiest = first("theirs-pid")?.otherLoad?.busiest.map((p) => p.pid) ?? [];
    expect(busiest).not.toContain(theirs.pid);
    for (const summary of results.summaries) {
      expect(summary.serverCpuUsPerRequest?.median).toBeGreaterThan(0);
    }
    // Ratios against the reference, named in the tables.
    const reference = results.summaries.find((s) => s.mode === "theirs-pid");
    expect(reference?.vsBaseline).toBeNull();
    expect(results.summaries.find((s) => s.mode === "ours")?.vsBaseline?.ratio).toBeGreaterThan(0);
    expect(renderTables(results)).toContain("× theirs-pid");
    // Its cache's entries are read from its /metrics; their bytes depend on its own LRU's size.
    const oursSummary = results.summaries.find((s) => s.mode === "ours");
    expect(oursSummary?.cacheEntries?.median).toBeGreaterThan(0);
    expect(oursSummary?.cacheBytes).toBeNull();
  }, 60_000);

  it("probes instances of a deployment for its revocation lag against its stated promise", async () => {
    const many = Object.fromEntries(
      Array.from({ length: 16 }, (_, i) => [`user${i}`, { password: `pw-${i}-secret` }]),
    );
    const usersFile = join(dir, "many-users.json");
    await writeFile(usersFile, JSON.stringify(many));
    // Two instances: the second sees revocations through a copy refreshed every 40 ms.
    const deployment = await startOtherServer(usersFile, ["--instances", "2", "--lag-ms", "40"]);
    try {
      const argv = [
        ...deployment.urls.flatMap((url) => ["--probe", url]),
        "--api",
        OTHER_API,
        "--credentials",
        usersFile,
        "--trials",
        "3",
        "--race-trials",
        "0",
        "--load-rate",
        "100",
        "--out",
        dir,
      ];
      expect(() => revocationOptions([...argv, "--modes", "memory"], {})).toThrow(
        /--modes: --probe benchmarks instances the benchmark does not start/,
      );
      const options = revocationOptions([...argv, "--promise-ms", "300"], {});
      const { results } = await runRevocationBenchmark(
        options,
        () => {},
        new AbortController().signal,
      );
      expect(results.status).toBe("complete");
      expect(results.trials.map((t) => [t.mode, t.event])).toHaveLength(6);
      const lags = (revoking: boolean) =>
        results.trials.flatMap((t) => t.instances.filter((i) => i.revoking === revoking));
      // Every probe ended refused: the deployment revokes, the second instance later.
      for (const probe of [...lags(true), ...lags(false)]) expect(probe.lagMs).not.toBeNull();
      const summaries = results.summaries.filter((s) => s.mode === "target");
      expect(summaries.map((s) => [s.role, s.boundMs, s.brokenPromise])).toEqual(
        expect.arrayContaining([
          ["revoking", 300, null],
          ["other", 300, null],
        ]),
      );
      expect(renderRevocationTable(results)).toContain(
        `2 instances of a deployment (${deployment.urls.join(", ")}), promising 300 ms`,
      );
      // Too few users for the trials: one line saying how many it needs.
      const few = revocationOptions([...argv, "--trials", "20"], {});
      await expect(
        runRevocationBenchmark(few, () => {}, new AbortController().signal),
      ).rejects.toThrow(/16 users, and this run needs 50/);
    } finally {
      deployment.child.kill();
    }
  }, 60_000);
});

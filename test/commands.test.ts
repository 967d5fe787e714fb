import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../server/app.js";
import { costOf } from "../server/auth/password.js";
import { makeConfig } from "../server/config.js";
import { eventually } from "./helpers/eventually.js";
import { quietServerArgs, run, startServer } from "./helpers/process.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "acb-cmd-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const serverArgs = () => quietServerArgs(join(dir, "auth.sqlite"));

describe("npm run server", () => {
  it("prints one JSON ready line, serves, and closes gracefully on SIGTERM after in-flight requests", async () => {
    const { child, ready } = await startServer([
      ...serverArgs(),
      "--cache",
      "memory",
      "--origin-latency-ms",
      "300",
    ]);
    expect(ready).toMatchObject({
      event: "ready",
      cache: "memory",
      store: "sqlite",
      auth: "on",
      originLatencyMs: 300,
    });
    const base = `http://127.0.0.1:${ready.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const inFlight = fetch(`${base}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "jane", password: "wrong" }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    expect((await inFlight).status).toBe(401);
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("is the process npm runs: SIGTERM sent to npm's pid stops the server, none is left on the port", async () => {
    const { child, ready } = await startServer(
      ["--", ...serverArgs()],
      ["npm", "run", "--silent", "server"],
    );
    const pid = ready.pid as number;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      expect(pid).not.toBe(child.pid);
      child.kill("SIGTERM");
      await once(child, "exit");
      await eventually(async () => !alive());
      await expect(fetch(`http://127.0.0.1:${ready.port}/health`)).rejects.toThrow();
    } finally {
      if (alive()) process.kill(pid, "SIGKILL");
    }
  }, 60_000);

  it("with --auth off says so and serves protected routes without a token", async () => {
    const { child, ready } = await startServer([...serverArgs(), "--auth", "off"]);
    try {
      expect(ready).toMatchObject({ auth: "off", warning: expect.stringContaining("OFF") });
      const response = await fetch(`http://127.0.0.1:${ready.port}/user/`);
      expect(await response.json()).toEqual({ username: "jane", role: "user" });
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  });

  it("--instances runs several processes on one port and stops them all", async () => {
    const { child, ready } = await startServer([
      ...serverArgs(),
      "--instances",
      "2",
      "--cache",
      "memory",
    ]);
    const pids = ready.pids as number[];
    expect(ready).toMatchObject({ instances: 2 });
    expect(new Set(pids).size).toBe(2);
    const answered = new Set<number>();
    for (let i = 0; i < 40 && answered.size < 2; i++) {
      const text = await (await fetch(`http://127.0.0.1:${ready.port}/metrics`)).text();
      answered.add(Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1]));
    }
    expect(answered.size).toBe(2);
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it("refuses a bad flag with one line and exit code 2", async () => {
    const result = await run("dist/server/main.js", ["--cache", "disk"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'auth-cache-bench server: ACB_CONFIG_INVALID: --cache must be one of none, memory, redis, tiered, got "disk"\n',
    );
    expect(result.stdout).toBe("");
  });

  it("refuses a store distance under 1 ms, which a timer cannot add, in the server and the benchmark", async () => {
    for (const command of [
      ["dist/server/main.js", "server"],
      ["dist/bench/cli.js", "load"],
    ] as const) {
      const [file, name] = command;
      const result = await run(file, [
        ...(name === "load" ? ["load"] : []),
        "--origin-latency-ms",
        "0.5",
      ]);
      expect(result.code, name).toBe(2);
      expect(result.stderr.trim().split("\n"), name).toEqual([
        expect.stringMatching(
          /ACB_CONFIG_INVALID: --origin-latency-ms must be 0 or at least 1: Node's timers resolve about 1 ms, .* use a real one \(--store sqlite, or postgres over TCP\)/,
        ),
      ]);
    }
  });

  it("refuses --inject-cpu-us with authentication off: it costs authenticated requests", async () => {
    const result = await run("dist/server/main.js", [
      ...serverArgs(),
      "--auth",
      "off",
      "--inject-cpu-us",
      "100",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^auth-cache-bench server: ACB_CONFIG_INVALID: --inject-cpu-us .*--auth on\n$/,
    );
  });

  it("refuses a malformed credentials file, naming it, without a stack trace", async () => {
    const file = join(dir, "bad.json");
    await writeFile(file, '{"bob": {"role": "user", "password": "plain"}}');
    const result = await run("dist/server/main.js", [...serverArgs(), "--credentials", file]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(
      `ACB_CREDENTIALS_INVALID: ${file}: user "bob": plaintext passwords are refused`,
    );
  });
});

describe("npm run users", () => {
  it("adds a user with a password read from stdin, and refuses to overwrite without --force", async () => {
    const file = join(dir, "creds.json");
    await writeFile(file, "{}");
    const added = await run(
      "dist/server/users-cli.js",
      ["add", "constructor", "--role", "admin", "--file", file, "--cost", "ln=4,r=8,p=1"],
      "s3cret-pass\n",
    );
    expect(added.code).toBe(0);
    const written = JSON.parse(await readFile(file, "utf8"));
    expect(written.constructor.role).toBe("admin");
    expect(JSON.stringify(written)).not.toContain("s3cret-pass");
    const again = await run(
      "dist/server/users-cli.js",
      ["add", "constructor", "--file", file],
      "another-pass\n",
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already in");
  });

  it("generates synthetic users whose plaintext file logs in against the hashed one", async () => {
    const out = join(dir, "load.json");
    const result = await run("dist/server/users-cli.js", ["generate", "5", "--out", out]);
    expect(result.code).toBe(0);
    const hashed = JSON.parse(await readFile(out, "utf8"));
    const plain = JSON.parse(await readFile(join(dir, "load.plain.json"), "utf8"));
    expect(Object.keys(hashed)).toEqual(["load1", "load2", "load3", "load4", "load5"]);
    expect(costOf(hashed.load1.password_hash)).toEqual({ ln: 10, r: 8, p: 1 });
    const app = await buildApp(
      makeConfig({ credentials: [out], sqlitePath: join(dir, "g.sqlite"), logLevel: "silent" }),
    );
    try {
      const response = await app.inject({
        method: "POST",
        url: "/token",
        payload: { username: "load3", password: plain.load3.password },
      });
      expect(response.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("names a bad command or count", async () => {
    expect((await run("dist/server/users-cli.js", ["generate", "zero"])).stderr).toContain(
      "ACB_USAGE: generate takes one COUNT",
    );
    expect((await run("dist/server/users-cli.js", ["remove"])).code).toBe(2);
  });
});

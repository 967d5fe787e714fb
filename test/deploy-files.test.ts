import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../server/config.js";

// No Docker engine runs here, so these check what can be checked without one: the compose file
// parses and offers what the docs tell users to start, and the image runs the server as PID 1.

const ROOT = resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  volumes?: string[];
  profiles?: string[];
  network_mode?: string;
}
const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service> };

/** `${NAME:-default}` as compose reads it with NAME unset. */
const withDefaults = (args: readonly string[]) =>
  args.map((arg) => arg.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1"));

/** The arguments of an exec-form Dockerfile instruction, e.g. ENTRYPOINT ["node", "x.js"]. */
function execForm(dockerfile: string, instruction: string): string[] {
  const line = dockerfile.split("\n").find((l) => l.startsWith(`${instruction} `));
  return JSON.parse(line?.slice(instruction.length + 1) ?? "null") as string[];
}

describe("docker-compose.yml", () => {
  it("names every service that the README and docs tell users to start", () => {
    const docs = [read("README.md"), read("docs/commands.md"), read("docs/server.md")].join("\n");
    const named = [...docs.matchAll(/docker compose up -d((?: [a-z]+)*)/g)].flatMap((m) =>
      (m[1] ?? "").trim().split(" ").filter(Boolean),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(Object.keys(compose.services)).toContain(name);
    expect(Object.keys(compose.services).sort()).toEqual([
      "postgres",
      "redis",
      "redis-cluster",
      "server",
    ]);
  });

  it("starts a three-master Redis Cluster only when asked, at the seed nodes the docs name", () => {
    const cluster = compose.services["redis-cluster"] as Service;
    expect(cluster.profiles).toEqual(["cluster"]);
    // Clients outside the container must reach the addresses the nodes announce.
    expect(cluster.network_mode).toBe("host");
    const script = (cluster.command ?? []).join(" ");
    const nodes = ["127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"];
    expect(script).toContain(`redis-cli --cluster create ${nodes.join(" ")} --cluster-replicas 0`);
    expect(script).toContain("--cluster-enabled yes");
    const docs = read("docs/server.md");
    expect(docs).toContain("docker compose --profile cluster up -d redis-cluster");
    expect(docs).toContain(`--redis-cluster ${nodes.join(",")}`);
    expect(loadConfig(["--redis-cluster", nodes.join(",")], {}).redisCluster).toEqual(nodes);
  });

  it("builds the server image instead of installing into the host's folder", () => {
    const server = compose.services.server as Service;
    expect(server.build).toBe(".");
    expect(server.volumes).toBeUndefined();
    expect(JSON.stringify(server.command)).not.toMatch(/npm/);
    expect(() => loadConfig(withDefaults(server.command ?? []), {})).not.toThrow();
  });
});

describe("Dockerfile", () => {
  const dockerfile = read("Dockerfile");

  it("runs the server itself as PID 1, with flags the server accepts", () => {
    expect(execForm(dockerfile, "ENTRYPOINT")).toEqual(["node", "dist/server/main.js"]);
    expect(loadConfig(execForm(dockerfile, "CMD"), {})).toMatchObject({ host: "0.0.0.0" });
  });

  it("copies only files that exist, and installs from the lock file", () => {
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    const copied = dockerfile
      .split("\n")
      .filter((line) => line.startsWith("COPY ") && !line.includes("--from"))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(copied).toContain("package-lock.json");
    for (const path of copied) expect(existsSync(join(ROOT, path)), path).toBe(true);
  });
});

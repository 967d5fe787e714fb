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
    expect(Object.keys(compose.services).sort()).toEqual(["postgres", "redis", "server"]);
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

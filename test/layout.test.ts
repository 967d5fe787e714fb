import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The house rules of shared/STYLE.md ("arrows only point down") as a test, so a change that
// reaches sideways or up fails here instead of in a review.

const ROOT = resolve(import.meta.dirname, "..");
const BASE_KINDS = ["load", "micro", "revocation"];
/** The floors below the kinds: every kind may use them, they use no kind. */
const FLOORS = ["harness", "report", "stats"];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Every relative import of every source file, as project-relative paths. */
const edges = ["lib", "server", "bench"].flatMap(sources).flatMap((file) => {
  const text = readFileSync(join(ROOT, file), "utf8");
  return [...text.matchAll(/from "(\.{1,2}\/[^"]+)"/g)].map((match) => ({
    from: file,
    to: relative(ROOT, resolve(ROOT, dirname(file), (match[1] as string).replace(/\.js$/, ".ts"))),
  }));
});

/** "bench/load/x.ts" → "load"; a file directly in bench/ → "bench"; outside bench → its top folder. */
const area = (file: string): string => {
  const [top, second, third] = file.split("/");
  if (top !== "bench") return top as string;
  return third === undefined ? "bench" : (second as string);
};

const offending = (rule: (edge: { from: string; to: string }) => boolean) =>
  edges.filter(rule).map(({ from, to }) => `${from} → ${to}`);

describe("the layout", () => {
  it("finds the imports it checks", () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.some((e) => e.from === "bench/cli.ts")).toBe(true);
  });

  it("lib/ imports neither the server nor the benchmarks, and the server imports no benchmark", () => {
    expect(offending((e) => e.from.startsWith("lib/") && !e.to.startsWith("lib/"))).toEqual([]);
    expect(offending((e) => e.from.startsWith("server/") && e.to.startsWith("bench/"))).toEqual([]);
  });

  it("the shared floors (harness, report, stats) import no kind", () => {
    expect(
      offending((e) => FLOORS.includes(area(e.from)) && !FLOORS.includes(area(e.to))).filter(
        (line) => line.includes("→ bench/"),
      ),
    ).toEqual([]);
  });

  it("report/ is kind-agnostic and imports nothing but itself, stats and lib", () => {
    expect(
      offending(
        (e) =>
          area(e.from) === "report" &&
          !["report", "stats", "lib"].includes(area(e.to)) &&
          e.to.startsWith("bench/"),
      ),
    ).toEqual([]);
  });

  it("no base kind imports another", () => {
    expect(
      offending(
        (e) =>
          BASE_KINDS.includes(area(e.from)) &&
          BASE_KINDS.includes(area(e.to)) &&
          area(e.from) !== area(e.to),
      ),
    ).toEqual([]);
  });

  it("composites (the gate, the top-level modules) use a kind only through its public file", () => {
    expect(
      offending(
        (e) =>
          !BASE_KINDS.includes(area(e.from)) &&
          BASE_KINDS.includes(area(e.to)) &&
          e.to !== `bench/${area(e.to)}/index.ts`,
      ),
    ).toEqual([]);
  });

  it("every base kind has a public file that exports its kind descriptor and its runner", () => {
    for (const kind of BASE_KINDS) {
      const text = readFileSync(join(ROOT, "bench", kind, "index.ts"), "utf8");
      expect(text, kind).toMatch(new RegExp(`${kind}Kind`));
      expect(text, kind).toMatch(/run\w+Benchmark/);
    }
  });

  it("cli.ts dispatches and defines no command of its own", () => {
    const text = readFileSync(join(ROOT, "bench/cli.ts"), "utf8");
    expect(text.match(/^(async )?function /gm) ?? []).toEqual(["async function "]);
    expect(text.split("\n").length).toBeLessThan(70);
  });
});

import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

// docs/commands.md carries every command's --help verbatim between markers; this test checks them
// against the built commands. After changing a flag: UPDATE_DOCS=1 npx vitest run test/docs.test.ts

const ROOT = resolve(import.meta.dirname, "..");
const COMMANDS_DOC = join(ROOT, "docs/commands.md");
const HELP: Record<string, string[]> = {
  bench: ["dist/bench/cli.js", "load", "--help"],
  "bench:revocation": ["dist/bench/cli.js", "revocation", "--help"],
  "bench:micro": ["dist/bench/cli.js", "micro", "--help"],
  "bench:map": ["dist/bench/cli.js", "map", "--help"],
  report: ["dist/bench/cli.js", "report", "--help"],
  "bench:compare": ["dist/bench/cli.js", "compare", "--help"],
  "bench:ab": ["dist/bench/cli.js", "ab", "--help"],
  server: ["dist/server/main.js", "--help"],
  users: ["dist/server/users-cli.js", "--help"],
};
const BLOCK = /<!-- help: ([\w:]+) -->\n```\n([\s\S]*?)```\n<!-- \/help -->/g;

const helpOf = async (args: string[]) =>
  (await promisify(execFile)(process.execPath, args, { cwd: ROOT })).stdout;

describe("docs/", () => {
  it("shows every command's --help exactly as the command prints it", async () => {
    const doc = readFileSync(COMMANDS_DOC, "utf8");
    const shown = new Map([...doc.matchAll(BLOCK)].map((m) => [m[1] as string, m[2] as string]));
    expect([...shown.keys()].sort()).toEqual(Object.keys(HELP).sort());
    const actual = new Map(
      await Promise.all(
        Object.entries(HELP).map(async ([name, args]) => [name, await helpOf(args)] as const),
      ),
    );
    if (process.env.UPDATE_DOCS === "1") {
      writeFileSync(
        COMMANDS_DOC,
        doc.replace(
          BLOCK,
          (_, name: string) =>
            `<!-- help: ${name} -->\n\`\`\`\n${actual.get(name)}\`\`\`\n<!-- /help -->`,
        ),
      );
      return;
    }
    for (const [name, help] of actual) {
      expect(shown.get(name), `${name}: run UPDATE_DOCS=1 npx vitest run test/docs.test.ts`).toBe(
        help,
      );
    }
  });

  it("links only to files that exist", () => {
    const pages = [
      "README.md",
      ...readdirSync(join(ROOT, "docs"), { recursive: true, encoding: "utf8" })
        .filter((name) => name.endsWith(".md"))
        .map((name) => join("docs", name)),
    ];
    const broken = pages.flatMap((page) =>
      [...readFileSync(join(ROOT, page), "utf8").matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
        .map((m) => m[1] as string)
        .filter((target) => !/^[a-z]+:/.test(target))
        .filter((target) => !existsSync(resolve(ROOT, dirname(page), target)))
        .map((target) => `${page} → ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it("keeps the README short: the reference is in docs/", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(150);
    expect(readme).toContain("npm run bench");
    expect(readme).toContain("npm test");
  });
});

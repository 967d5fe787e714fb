import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { type BenchmarkCommand, runBenchmarkCommand } from "../bench/harness/command.js";
import { loadCommandOptions } from "../bench/load/options.js";
import { microCommandOptions } from "../bench/micro/options.js";
import { revocationOptions } from "../bench/revocation/options.js";

interface Options {
  json: boolean;
  out: string;
}
interface Results {
  failed: boolean;
}

/** A command whose run is instant: what is under test is the shell around every benchmark. */
function command(results: Results, abort?: AbortController): BenchmarkCommand<Options, Results> {
  return {
    usage: () => "Usage: test [options]",
    parse: (argv) => ({ json: argv.includes("--json"), out: "somewhere" }),
    run: async () => {
      abort?.abort();
      return { results, folder: { dir: "somewhere/x", write: async () => {} } };
    },
    tables: (r) => `table: failed=${r.failed}\n`,
    exitCode: (r) => (r.failed ? 1 : 0),
  };
}

let stdout: MockInstance;
let stderr: MockInstance;
const printed = (spy: MockInstance) => spy.mock.calls.map((call) => String(call[0])).join("");
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe("every benchmark command", () => {
  it("prints its usage for --help and runs nothing", async () => {
    const run = vi.fn();
    const help = { ...command({ failed: false }), run };
    expect(await runBenchmarkCommand(help, ["--help"], new AbortController().signal)).toBe(0);
    expect(printed(stdout)).toBe("Usage: test [options]\n");
    expect(run).not.toHaveBeenCalled();
  });

  it("prints the tables on stdout and where the report is on stderr, exiting as the kind says", async () => {
    const signal = new AbortController().signal;
    expect(await runBenchmarkCommand(command({ failed: true }), [], signal)).toBe(1);
    expect(printed(stdout)).toBe("table: failed=true\n");
    expect(printed(stderr)).toMatch(/^report: somewhere\/x\/report\.html .*somewhere\/latest/);
  });

  it("prints only the results JSON with --json", async () => {
    const signal = new AbortController().signal;
    expect(await runBenchmarkCommand(command({ failed: false }), ["--json"], signal)).toBe(0);
    expect(JSON.parse(printed(stdout))).toEqual({ failed: false });
  });

  it("exits 130 when interrupted, after printing what it has", async () => {
    const abort = new AbortController();
    expect(await runBenchmarkCommand(command({ failed: false }, abort), [], abort.signal)).toBe(
      130,
    );
    expect(printed(stdout)).toBe("table: failed=false\n");
  });

  it("takes --json on each of the three benchmarks", () => {
    expect(loadCommandOptions(["--json"], {}).json).toBe(true);
    expect(microCommandOptions(["--json"], {}).json).toBe(true);
    expect(revocationOptions(["--json"], {}).json).toBe(true);
  });
});

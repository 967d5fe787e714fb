import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  otherProcesses,
  type ProcessLoad,
  type ProcessSnapshot,
  processTree,
} from "./process-cpu.js";

export interface Provenance {
  tool: { name: string; version: string };
  createdAt: string;
  machine: {
    /** The host the benchmark (and its load generator) ran on; null in files from before it was kept. */
    hostname: string | null;
    cpuModel: string;
    cores: number;
    memoryBytes: number;
    os: string;
    kernel: string;
    arch: string;
  };
  node: string;
  packages: Record<string, string>;
  services: { redis: string | null; postgres: string | null; sqlite: string | null };
  git: { commit: string; dirty: boolean } | null;
  /** scrypt cost of the users that logged in, as ln=..,r=..,p=.. */
  passwordCost: string | null;
  /** What else the machine did while the benchmark ran; null in files from before it was kept. */
  machineLoad: MachineLoad | null;
}

export interface MachineLoad {
  /** The 1-minute load average as the benchmark started, and as it ended (null while running). */
  loadAverageStart: number;
  loadAverageEnd: number | null;
  /** The busiest processes outside the benchmark over the whole run; null without /proc. */
  busiestOthers: ProcessLoad[] | null;
}

const TOOL_NAME = "auth-cache-bench";
const UNKNOWN = "unknown";
const TRACKED_PACKAGES = [
  "fastify",
  "ioredis",
  "better-sqlite3",
  "pg",
  "lru-cache",
  "autocannon",
  "hdr-histogram-js",
  "cli-table3",
  "tinybench",
  "prom-client",
] as const;

const run = promisify(execFile);

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
    return parsed !== null && typeof parsed === "object"
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

const stringField = (json: Record<string, unknown> | null, key: string): string | null => {
  const value = json?.[key];
  return typeof value === "string" ? value : null;
};

// Walks up rather than using a fixed "../../" because the module runs both from source
// (bench/report) and compiled (dist/bench/report).
/** This tool's own checkout: the nearest folder up from here whose package.json is ours. */
export async function findProject(): Promise<{
  root: string;
  manifest: Record<string, unknown>;
} | null> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = await readJson(join(dir, "package.json"));
    if (manifest && stringField(manifest, "name") === TOOL_NAME) return { root: dir, manifest };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

async function installedVersions(root: string): Promise<Record<string, string>> {
  const found = await Promise.all(
    TRACKED_PACKAGES.map(async (name) => {
      const manifest = await readJson(join(root, "node_modules", name, "package.json"));
      const version = stringField(manifest, "version");
      return version === null ? null : ([name, version] as const);
    }),
  );
  return Object.fromEntries(found.filter((entry) => entry !== null));
}

async function osName(): Promise<string> {
  try {
    const text = await readFile("/etc/os-release", "utf8");
    const match = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(text);
    const pretty = match?.[1] ?? match?.[2];
    if (pretty) return pretty;
  } catch {
    // Not Linux, or a minimal container: the kernel's own name is the best left.
  }
  return `${os.type()} ${os.release()}`;
}

/** The commit checked out at `cwd` and whether its tree has changes; null outside a git checkout. */
export async function gitCheckout(cwd: string): Promise<Provenance["git"]> {
  const options = { cwd, timeout: 5000, windowsHide: true };
  try {
    const { stdout } = await run("git", ["rev-parse", "HEAD"], options);
    const commit = stdout.trim();
    if (!/^[0-9a-f]{40}$/.test(commit)) return null;
    // A status that cannot be read cannot vouch for a clean tree.
    const dirty = await run("git", ["status", "--porcelain"], options).then(
      ({ stdout: status }) => status.trim() !== "",
      () => true,
    );
    return { commit, dirty };
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    return os.cpus()[0]?.model.trim() || UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/** Upgrades a results file from before the machine's host name was kept. */
export function withUnnamedMachine(json: Record<string, unknown>): Record<string, unknown> {
  const provenance = json.provenance as Record<string, unknown>;
  const machine = provenance.machine as Record<string, unknown>;
  return { ...json, provenance: { ...provenance, machine: { ...machine, hostname: null } } };
}

/** Describes the machine, software and checkout a benchmark ran on; missing pieces stay blank. */
export async function collectProvenance(input: {
  services: Provenance["services"];
  passwordCost: string | null;
  /** Where git is asked about the checkout; defaults to the project root. */
  cwd?: string;
}): Promise<Provenance> {
  const project = await findProject();
  const root = project?.root ?? process.cwd();
  const [packages, osLabel, checkout] = await Promise.all([
    installedVersions(root),
    osName(),
    gitCheckout(input.cwd ?? root),
  ]);
  return {
    tool: {
      name: stringField(project?.manifest ?? null, "name") ?? TOOL_NAME,
      version: stringField(project?.manifest ?? null, "version") ?? UNKNOWN,
    },
    createdAt: new Date().toISOString(),
    machine: {
      hostname: os.hostname(),
      cpuModel: cpuModel(),
      cores: os.availableParallelism(),
      memoryBytes: os.totalmem(),
      os: osLabel,
      kernel: os.release(),
      arch: os.arch(),
    },
    node: process.version,
    packages,
    services: input.services,
    git: checkout,
    passwordCost: input.passwordCost,
    machineLoad: {
      loadAverageStart: os.loadavg()[0] ?? 0,
      loadAverageEnd: null,
      busiestOthers: null,
    },
  };
}

/** How many of the busiest other processes the provenance names. */
const BUSIEST = 5;

/** Settles the machine's load at the end of a benchmark that took `start` as it began. */
export function settleMachineLoad(
  provenance: Provenance,
  start: ProcessSnapshot,
  end: ProcessSnapshot,
): void {
  if (!provenance.machineLoad) return;
  const ours = processTree(end);
  const others = otherProcesses(start, end, (pid) => ours.has(pid));
  provenance.machineLoad.loadAverageEnd = os.loadavg()[0] ?? 0;
  provenance.machineLoad.busiestOthers = others ? others.slice(0, BUSIEST) : null;
}

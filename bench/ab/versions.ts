import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync, rmSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { AcbError, abVersionUnusable, describeCause, interrupted } from "../../lib/errors.js";
import { DEFAULTS as SERVER_DEFAULTS } from "../../server/config.js";
import { serverArgs } from "../harness/server-args.js";
import { argsFor, type ServerProgram, serverProgram } from "../harness/server-program.js";
import { SERVER_MAIN, spawnServer } from "../harness/spawn-server.js";
import type { ServerVersion, VersionName } from "../load/index.js";
import { findProject, gitCheckout } from "../report/provenance.js";

const run = promisify(execFile);
/** Installing and building a version may take minutes on a cold npm cache; never forever. */
const STEP_TIMEOUT_MS = 15 * 60_000;
/** Where a compiled server sits in a checkout of this project. */
const MAIN_IN_CHECKOUT = join("dist", "server", "main.js");
/** Marks a build or install as finished: a half-written one (Ctrl-C, a failure) is redone. */
const COMPLETE = ".complete";

/** What one side of an A/B run is asked to be. */
export interface VersionSpec {
  name: VersionName;
  /** A git ref or a folder; null: this working tree. */
  source: string | null;
  extraArgs: string[];
}

export type Note = (message: string) => void;

const flagOf = (name: VersionName) => `--${name}`;

async function projectRoot(): Promise<string> {
  const project = await findProject();
  if (!project) throw abVersionUnusable("cannot find this tool's own checkout (no package.json)");
  return project.root;
}

const shortCommit = (git: { commit: string; dirty: boolean } | null): string | null =>
  git ? `${git.commit.slice(0, 12)}${git.dirty ? " (dirty)" : ""}` : null;

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Process groups of preparation steps still running: killed on any exit, like the worktrees. */
const groups = new Set<number>();
const killGroup = (pid: number) => {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
};

/**
 * Runs one step of a preparation (git, npm ci, a build) as a process group of its own, so that
 * Ctrl-C or a timeout stops what it started too (npm's shell, tsc), not only itself. Its failure is
 * the version's, in one line.
 */
async function step(
  what: string,
  file: string,
  args: string[],
  cwd: string,
  signal: AbortSignal,
): Promise<string> {
  if (signal.aborted) throw interrupted(`interrupted before ${what}`);
  const child = spawn(file, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const pid = child.pid as number;
  groups.add(pid);
  const stop = () => killGroup(pid);
  signal.addEventListener("abort", stop, { once: true });
  const timer = setTimeout(stop, STEP_TIMEOUT_MS);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  try {
    const [code] = (await Promise.race([
      once(child, "close"),
      once(child, "error").then(([error]) => {
        throw error;
      }),
    ])) as [number | null];
    if (code === 0) return stdout;
    if (signal.aborted) throw interrupted(`interrupted during ${what}`);
    const last = stderr.trim().split("\n").filter(Boolean).at(-1) ?? `exit code ${code}`;
    throw abVersionUnusable(`${what} failed: ${last}`);
  } catch (error) {
    if (error instanceof AcbError) throw error;
    throw abVersionUnusable(`${what} failed: ${describeCause(error)}`);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", stop);
    stop();
    groups.delete(pid);
  }
}

/**
 * The node_modules a commit's lock file installs: the checkout's own when the lock files are the
 * same (the usual case), else one installed once per lock file under node_modules/.cache and
 * reused by every later run with that lock file.
 */
async function installFor(
  root: string,
  commit: string,
  signal: AbortSignal,
  note: Note,
): Promise<string> {
  const lock = await step(
    "reading its package-lock.json",
    "git",
    ["show", `${commit}:package-lock.json`],
    root,
    signal,
  );
  const ours = await readFile(join(root, "package-lock.json"), "utf8").catch(() => "");
  if (lock === ours && existsSync(join(root, "node_modules"))) return join(root, "node_modules");
  const hash = createHash("sha256").update(lock).digest("hex").slice(0, 16);
  const dir = join(root, "node_modules", ".cache", "auth-cache-bench", "installs", hash);
  if (existsSync(join(dir, COMPLETE))) return join(dir, "node_modules");
  note(`installing its dependencies from its lock file (${hash}; kept for later runs)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const manifest = await step(
    "reading its package.json",
    "git",
    ["show", `${commit}:package.json`],
    root,
    signal,
  );
  await writeFile(join(dir, "package.json"), manifest);
  await writeFile(join(dir, "package-lock.json"), lock);
  await step("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], dir, signal);
  await writeFile(join(dir, COMPLETE), "");
  return join(dir, "node_modules");
}

/** Worktrees not yet removed: removed on any exit, also a second Ctrl-C's immediate one. */
const worktrees = new Map<string, string>();
process.once("exit", () => {
  for (const pid of groups) killGroup(pid);
  for (const [dir, root] of worktrees) {
    try {
      execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: root, stdio: "ignore" });
    } catch {
      // Already gone, or git refused: the folder itself still goes.
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

async function removeWorktree(dir: string, root: string): Promise<void> {
  await run("git", ["worktree", "remove", "--force", dir], { cwd: root }).catch(() => {});
  await rm(dir, { recursive: true, force: true });
  await run("git", ["worktree", "prune"], { cwd: root }).catch(() => {});
  worktrees.delete(dir);
}

/**
 * A commit's compiled server, built once and kept under node_modules/.cache by commit: checked out
 * into a temporary worktree, installed from its own lock file, built with its own build script,
 * and its dist/ and package.json copied out before the worktree is removed.
 */
async function buildCommit(
  root: string,
  commit: string,
  signal: AbortSignal,
  note: Note,
): Promise<string> {
  const dir = join(root, "node_modules", ".cache", "auth-cache-bench", "builds", commit);
  if (existsSync(join(dir, COMPLETE))) return join(dir, MAIN_IN_CHECKOUT);
  const modules = await installFor(root, commit, signal, note);
  const tree = await mkdtemp(join(tmpdir(), `acb-ab-${commit.slice(0, 8)}-`));
  worktrees.set(tree, root);
  try {
    note(`checking out ${commit.slice(0, 12)} into a temporary worktree and building it`);
    await step(
      "git worktree add",
      "git",
      ["worktree", "add", "--detach", tree, commit],
      root,
      signal,
    );
    await symlink(modules, join(tree, "node_modules"), "dir");
    await step("its build (npm run build)", "npm", ["run", "-s", "build"], tree, signal);
    if (!existsSync(join(tree, MAIN_IN_CHECKOUT))) {
      throw abVersionUnusable(
        `its build wrote no ${MAIN_IN_CHECKOUT}: not a server this harness can start`,
      );
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await cp(join(tree, "dist"), join(dir, "dist"), { recursive: true });
    await cp(join(tree, "package.json"), join(dir, "package.json"));
    await symlink(modules, join(dir, "node_modules"), "dir");
    await writeFile(join(dir, COMPLETE), "");
    return join(dir, MAIN_IN_CHECKOUT);
  } finally {
    await removeWorktree(tree, root);
  }
}

/** A folder given as a version: used as it is, so it must hold a built server. */
async function folderVersion(dir: string): Promise<{ main: string; commit: string | null }> {
  const main = join(dir, MAIN_IN_CHECKOUT);
  if (!existsSync(main)) {
    throw abVersionUnusable(
      `${dir} has no ${MAIN_IN_CHECKOUT}: build it first (npm ci && npm run build in that folder)`,
    );
  }
  return { main, commit: shortCommit(await gitCheckout(dir)) };
}

async function commitOf(root: string, ref: string): Promise<string | null> {
  return run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: root }).then(
    ({ stdout }) => stdout.trim(),
    () => null,
  );
}

/**
 * Starts the version's server once, with authentication off on a scratch store, and stops it:
 * a server whose first line is not the ready line this harness reads is refused before any run.
 */
async function startsUp(program: ServerProgram): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), "acb-ab-probe-"));
  try {
    const args = serverArgs("ceiling", {
      store: "sqlite",
      sqlitePath: join(scratch, "probe.sqlite"),
      pgSchema: SERVER_DEFAULTS.pgSchema,
      databaseUrl: SERVER_DEFAULTS.databaseUrl,
      redisUrl: SERVER_DEFAULTS.redisUrl,
      redisKeyPrefix: SERVER_DEFAULTS.redisKeyPrefix,
      cacheTtl: SERVER_DEFAULTS.cacheTtl,
      cacheMax: SERVER_DEFAULTS.cacheMax,
      originLatencyMs: 0,
      credentials: [],
    });
    const server = await spawnServer(argsFor(args, program).args, [], program.main);
    await server.stop();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * One side of an A/B run made ready to start: the working tree's own build, a folder's, or a git
 * ref's (built once per commit). Its --help says which flags it takes. Throws ACB_AB_VERSION, in
 * one line naming the flag, when it cannot be had.
 */
export async function prepareVersion(
  spec: VersionSpec,
  signal: AbortSignal,
  note: Note,
): Promise<ServerVersion> {
  const said = (message: string) => note(`${spec.name}: ${message}`);
  const root = await projectRoot();
  let main: string;
  let commit: string | null;
  let source: string;
  try {
    if (spec.source === null) {
      source = "working tree";
      main = SERVER_MAIN;
      commit = shortCommit(await gitCheckout(root));
    } else if (await isDirectory(resolve(spec.source))) {
      source = spec.source;
      ({ main, commit } = await folderVersion(resolve(spec.source)));
    } else {
      source = spec.source;
      const full = await commitOf(root, spec.source);
      if (!full)
        throw abVersionUnusable(`${spec.source} is neither a folder nor a git commit here`);
      main = await buildCommit(root, full, signal, said);
      commit = full.slice(0, 12);
    }
    const program = await serverProgram(main);
    await startsUp(program);
    return {
      name: spec.name,
      source,
      commit,
      extraArgs: spec.extraArgs,
      droppedFlags: [],
      program,
    };
  } catch (error) {
    if (signal.aborted) {
      throw interrupted(`interrupted while preparing the ${spec.name}: nothing was measured`);
    }
    const message = error instanceof Error ? error.message : String(error);
    throw abVersionUnusable(`${flagOf(spec.name)} ${spec.source ?? "(working tree)"}: ${message}`);
  }
}

import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { exitWithError } from "../lib/cli-edge.js";
import { usageError } from "../lib/errors.js";
import { formatCost, hashPassword, parseCost } from "./auth/password.js";
import { DEFAULTS, LOAD_USER_COST } from "./config.js";
import { readCredentialsFile, USERNAME, writeJsonFile } from "./credentials.js";
import { ROLES, type Role } from "./store/store.js";
import { generateUsers, writeGeneratedUsers } from "./synthetic-users.js";

const COMMAND = "auth-cache-bench users";

const HELP = `Usage:
  npm run users -- add NAME [--role admin|user] [--file credentials.json] [--cost ln=15,r=8,p=3] [--force]
      Hashes a password read from stdin (or asked for on a terminal) into the credentials file.
  npm run users -- generate COUNT [--prefix load] [--role user] [--cost ${formatCost(LOAD_USER_COST)}]
                                  [--out data/users-COUNT.json] [--plain-out data/users-COUNT.plain.json]
      Creates COUNT synthetic users with random passwords: hashes for the server (--out) and the
      plaintext passwords for the load generator, in the original article's format (--plain-out).`;

function readPassword(): Promise<string> {
  const terminal = process.stdin.isTTY === true;
  const rl = createInterface({
    input: process.stdin,
    output: terminal ? process.stderr : undefined,
    terminal,
  });
  if (terminal) process.stderr.write("Password: ");
  return new Promise((resolve, reject) => {
    rl.once("line", (line) => {
      resolve(line);
      if (terminal) process.stderr.write("\n");
      rl.close();
    });
    rl.once("close", () => reject(usageError("no password on stdin")));
  });
}

function option<T>(
  value: string | undefined,
  parse: (raw: string) => T | undefined,
  flag: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  const parsed = parse(value);
  if (parsed === undefined) throw usageError(`--${flag} ${JSON.stringify(value)} is not valid`);
  return parsed;
}

const parseRole = (raw: string): Role | undefined =>
  ROLES.includes(raw as Role) ? (raw as Role) : undefined;

async function add(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: "string" },
      file: { type: "string" },
      cost: { type: "string" },
      force: { type: "boolean" },
    },
  });
  const [username] = positionals;
  if (username === undefined || positionals.length !== 1)
    throw usageError("add takes exactly one NAME");
  if (!USERNAME.test(username))
    throw usageError(`NAME ${JSON.stringify(username)}: 1-128 of A-Z a-z 0-9 . _ @ -`);
  const role = option(values.role, parseRole, "role", "user");
  const cost = option(values.cost, parseCost, "cost", DEFAULTS.passwordCost);
  const file = values.file ?? "credentials.json";
  const users = await readCredentialsFile(file);
  if (username in users && !values.force)
    throw usageError(`${username} is already in ${file}; add --force to replace`);
  const password = await readPassword();
  if (password.length < 8) throw usageError("the password must have at least 8 characters");
  users[username] = { role, password_hash: await hashPassword(password, cost) };
  await writeJsonFile(file, users);
  process.stdout.write(`${username} (${role}) written to ${file} at scrypt ${formatCost(cost)}\n`);
}

async function generate(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prefix: { type: "string" },
      role: { type: "string" },
      cost: { type: "string" },
      out: { type: "string" },
      "plain-out": { type: "string" },
    },
  });
  const count = Number(positionals[0]);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000 || positionals.length !== 1) {
    throw usageError("generate takes one COUNT from 1 to 1000000");
  }
  const prefix = values.prefix ?? "load";
  if (!USERNAME.test(`${prefix}${count}`))
    throw usageError(`--prefix ${JSON.stringify(prefix)} makes invalid usernames`);
  const role = option(values.role, parseRole, "role", "user");
  const cost = option(values.cost, parseCost, "cost", LOAD_USER_COST);
  const out = values.out ?? `data/users-${count}.json`;
  const plainOut = values["plain-out"] ?? `${out.replace(/\.json$/, "")}.plain.json`;
  await writeGeneratedUsers(await generateUsers(count, prefix, role, cost), out, plainOut);
  process.stdout.write(
    `${count} users at scrypt ${formatCost(cost)}: hashes in ${out}, passwords in ${plainOut}\n`,
  );
}

async function main(): Promise<void> {
  const [verb, ...rest] = process.argv.slice(2);
  if (verb === undefined || verb === "--help" || verb === "-h" || verb === "help") {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  try {
    if (verb === "add") return await add(rest);
    if (verb === "generate") return await generate(rest);
  } catch (error) {
    // parseArgs throws plain TypeErrors for unknown flags; they are usage mistakes.
    if (error instanceof TypeError && "code" in error) throw usageError(error.message);
    throw error;
  }
  throw usageError(`unknown command ${JSON.stringify(verb)}; try add or generate`);
}

main().catch((error: unknown) => exitWithError(COMMAND, error));

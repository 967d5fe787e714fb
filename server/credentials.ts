import { readFile, rename, writeFile } from "node:fs/promises";
import { describeCause } from "../lib/errors.js";
import { parsePhc } from "./auth/password.js";
import { credentialsInvalid } from "./errors.js";
import { ROLES, type Role, type SeedUser } from "./store/store.js";

/** The credentials file: `{"john": {"role": "admin", "password_hash": "$scrypt$..."}}`. */
export type CredentialsFile = Record<string, { role: Role; password_hash: string }>;

export const USERNAME = /^[A-Za-z0-9._@-]{1,128}$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function parseCredentials(file: string, text: string): SeedUser[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw credentialsInvalid(file, `not valid JSON (${describeCause(error)})`);
  }
  if (!isRecord(data)) throw credentialsInvalid(file, "must be a JSON object keyed by username");
  return Object.entries(data).map(([username, entry]) => {
    const where = `user ${JSON.stringify(username)}`;
    if (!USERNAME.test(username)) {
      throw credentialsInvalid(file, `${where}: a username is 1-128 of A-Z a-z 0-9 . _ @ -`);
    }
    if (!isRecord(entry)) throw credentialsInvalid(file, `${where}: must be an object`);
    if ("password" in entry) {
      throw credentialsInvalid(
        file,
        `${where}: plaintext passwords are refused; store a hash with \`npm run users -- add ${username}\``,
      );
    }
    const { role, password_hash: hash } = entry;
    if (typeof role !== "string" || !ROLES.includes(role as Role)) {
      throw credentialsInvalid(file, `${where}: role must be one of ${ROLES.join(", ")}`);
    }
    if (typeof hash !== "string" || !parsePhc(hash)) {
      throw credentialsInvalid(
        file,
        `${where}: password_hash must be a scrypt PHC string ($scrypt$ln=..,r=..,p=..$salt$hash)`,
      );
    }
    return { username, role: role as Role, passwordHash: hash };
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw credentialsInvalid(file, `cannot be read (${describeCause(error)})`);
  }
}

/** Reads every file; a user named in a later file replaces the same user from an earlier one. */
export async function loadCredentials(files: readonly string[]): Promise<SeedUser[]> {
  const users = new Map<string, SeedUser>();
  for (const file of files) {
    for (const user of parseCredentials(file, await readText(file))) users.set(user.username, user);
  }
  return [...users.values()];
}

export async function readCredentialsFile(file: string): Promise<CredentialsFile> {
  const users = parseCredentials(file, await readText(file));
  return toFile(users);
}

export function toFile(users: readonly SeedUser[]): CredentialsFile {
  const out: CredentialsFile = Object.create(null);
  for (const user of users)
    out[user.username] = { role: user.role, password_hash: user.passwordHash };
  return out;
}

/** Writes through a temporary file, so a crash never leaves half a credentials file. */
export async function writeJsonFile(file: string, data: unknown): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, file);
}

import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { hashPassword, type ScryptCost } from "./auth/password.js";
import { toFile, writeJsonFile } from "./credentials.js";
import type { Role, SeedUser } from "./store/store.js";

/** The original article's format: what a load generator needs to log in as these users. */
export type PlainCredentials = Record<string, { password: string; role: Role }>;

export interface GeneratedUsers {
  users: SeedUser[];
  plain: PlainCredentials;
}

// scrypt runs on libuv's thread pool (4 threads by default); more in flight only queues.
const HASHES_IN_FLIGHT = 4;

export async function generateUsers(
  count: number,
  prefix: string,
  role: Role,
  cost: ScryptCost,
): Promise<GeneratedUsers> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  const passwords = names.map(() => randomBytes(12).toString("base64url"));
  const hashes: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++)
      hashes[i] = await hashPassword(passwords[i] as string, cost);
  };
  await Promise.all(Array.from({ length: HASHES_IN_FLIGHT }, worker));
  const plain: PlainCredentials = Object.create(null);
  const users = names.map((username, i) => {
    plain[username] = { password: passwords[i] as string, role };
    return { username, role, passwordHash: hashes[i] as string };
  });
  return { users, plain };
}

/** Writes the hashes for the server and the plaintext for the load generator. */
export async function writeGeneratedUsers(
  generated: GeneratedUsers,
  hashedFile: string,
  plainFile: string,
): Promise<void> {
  for (const file of [hashedFile, plainFile]) await mkdir(dirname(file), { recursive: true });
  await writeJsonFile(hashedFile, toFile(generated.users));
  await writeJsonFile(plainFile, generated.plain);
}

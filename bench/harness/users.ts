import { access, readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { describeCause, usageError } from "../../lib/errors.js";
import { LOAD_USER_COST } from "../../server/config.js";
import {
  generateUsers,
  type PlainCredentials,
  writeGeneratedUsers,
} from "../../server/synthetic-users.js";
import { type ApiDescription, buildRequest, OUR_API, tokenIn } from "./api-description.js";
import type { Credential, Session } from "./scenarios.js";

export interface LoadUsers {
  /** Credentials files for the server to seed. */
  serverFiles: string[];
  users: (Credential & { role: string })[];
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Synthetic users at the cheap load cost (stated in every report), plus one admin for the
 * mixed scenario's writes. Generated once per population size and kept under data/.
 */
export async function prepareLoadUsers(count: number): Promise<LoadUsers> {
  const hashed = `data/bench-users-${count}.json`;
  const plain = `data/bench-users-${count}.plain.json`;
  if (!(await exists(hashed)) || !(await exists(plain))) {
    const users = await generateUsers(count, "load", "user", LOAD_USER_COST);
    const admin = await generateUsers(1, "loadadmin", "admin", LOAD_USER_COST);
    await writeGeneratedUsers(
      { users: [...users.users, ...admin.users], plain: { ...users.plain, ...admin.plain } },
      hashed,
      plain,
    );
  }
  return { serverFiles: [hashed], users: await readPlainCredentials(plain) };
}

/** The original article's format: {"name": {"password": "...", "role": "..."}}. */
export async function readPlainCredentials(file: string): Promise<LoadUsers["users"]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw usageError(`--credentials ${file}: ${describeCause(error)}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw usageError(`--credentials ${file}: must be a JSON object keyed by username`);
  }
  return Object.entries(data as PlainCredentials).map(([username, entry]) => {
    if (typeof entry?.password !== "string")
      throw usageError(`--credentials ${file}: user ${username} has no password`);
    return {
      username,
      password: entry.password,
      role: typeof entry.role === "string" ? entry.role : "user",
    };
  });
}

/** Statuses of a server that is pacing its logins (ours: 429 throttled, 503 hashing at its bound). */
const PACED = new Set([429, 503]);
/** How long pacing may hold one login before it counts as refused. */
const PACED_FOR_MS = 60_000;

/**
 * Logs one user in through the API's login request; a refusal stops the benchmark, naming the
 * user. A server that paces logins (a hand-started one keeps its login limits) is waited for, as
 * its Retry-After says.
 */
export async function login(
  baseUrl: string,
  user: LoadUsers["users"][number],
  api: ApiDescription = OUR_API,
): Promise<Session> {
  const { path, ...request } = buildRequest(api, api.login, user);
  const until = Date.now() + PACED_FOR_MS;
  let response = await fetch(`${baseUrl}${path}`, request);
  for (let attempt = 1; PACED.has(response.status) && Date.now() < until; attempt++) {
    await response.arrayBuffer();
    const asked = Number(response.headers.get("retry-after"));
    await sleep(asked > 0 ? asked * 1000 : Math.min(2000, 50 * 2 ** attempt));
    response = await fetch(`${baseUrl}${path}`, request);
  }
  const token = tokenIn(api, await response.json().catch(() => ({})));
  if (!api.login.expect.includes(response.status) || token === undefined) {
    const why = token === undefined ? `, with no token at ${api.login.token}` : "";
    throw usageError(
      `login of ${user.username} at ${baseUrl}${path} failed with HTTP ${response.status}${why}`,
    );
  }
  return { username: user.username, role: user.role, token };
}

/** Logs every user in, a few at a time; any failure stops the benchmark. */
export async function loginAll(
  baseUrl: string,
  users: LoadUsers["users"],
  api: ApiDescription = OUR_API,
  inFlight = 8,
): Promise<Session[]> {
  const sessions: Session[] = new Array(users.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < users.length; i = next++) {
      sessions[i] = await login(baseUrl, users[i] as LoadUsers["users"][number], api);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return sessions;
}

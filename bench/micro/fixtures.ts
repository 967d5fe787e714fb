import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresUnreachable } from "../../lib/errors.js";
import { hashToken, newToken } from "../../server/auth/token.js";
import { openPostgresStore } from "../../server/store/postgres.js";
import { openSqliteStore } from "../../server/store/sqlite.js";
import type { Store } from "../../server/store/store.js";
import {
  deleteRedisKeys,
  dropPostgresSchema,
  postgresVersion,
  provideRedis,
  type RedisService,
} from "../harness/services.js";

export type Service = "sqlite" | "postgres" | "redis";

/** As many as the load benchmark logs in by default, so the session index is as deep. */
export const USERS = 100;
const TOKEN_TTL_MS = 86_400_000;
// Only sessions are looked up here; no password is ever verified against this.
const UNUSED_PASSWORD_HASH = "$scrypt$ln=1,r=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA";

export interface Session {
  token: string;
  tokenHash: string;
}

export interface SeededStore {
  store: Store;
  /** One live session per user. */
  sessions: Session[];
  /** The user fresh sessions are issued to. */
  userId: number;
}

export interface Fixtures {
  id: string;
  /** Every Redis key of this run starts with it; all are deleted at close. */
  redisKeyPrefix: string;
  sqlite: SeededStore | null;
  postgres: SeededStore | null;
  redis: RedisService | null;
  postgresVersion: string | null;
  /** The throwaway schema, dropped at close; null when PostgreSQL is not used. */
  postgresSchema: string | null;
  /** Why a needed service is missing: its tasks are skipped with this line. */
  unreachable: Partial<Record<"redis" | "postgres", string>>;
  close(): Promise<void>;
}

/** A new session in the store, as a login makes it. */
export async function issueSession(seeded: SeededStore): Promise<Session> {
  const token = newToken();
  const tokenHash = hashToken(token);
  await seeded.store.createSession(tokenHash, seeded.userId, Date.now() + TOKEN_TTL_MS);
  return { token, tokenHash };
}

async function seed(store: Store): Promise<SeededStore> {
  const users = Array.from({ length: USERS }, (_, i) => ({
    username: `micro-${i}`,
    role: "user" as const,
    passwordHash: UNUSED_PASSWORD_HASH,
  }));
  await store.seedUsers(users);
  const ids: number[] = [];
  for (const user of users) {
    const record = await store.findUser(user.username);
    if (record) ids.push(record.id);
  }
  const sessions: Session[] = [];
  for (const userId of ids) sessions.push(await issueSession({ store, sessions, userId }));
  return { store, sessions, userId: ids[0] ?? 0 };
}

/**
 * Opens the real stores and finds Redis for the suites that need them: a fresh SQLite file, a
 * throwaway PostgreSQL schema, a key prefix of this run's own. `close` removes all of them.
 */
export async function openFixtures(
  needs: ReadonlySet<Service>,
  urls: { redisUrl: string; databaseUrl: string },
): Promise<Fixtures> {
  const id = randomUUID().replaceAll("-", "").slice(0, 10);
  const schema = `micro_${id}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const fixtures: Fixtures = {
    id,
    redisKeyPrefix: `acb-micro:${id}:`,
    sqlite: null,
    postgres: null,
    redis: null,
    postgresVersion: null,
    postgresSchema: null,
    unreachable: {},
    // Newest first: a store closes before its schema or file goes.
    close: async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    },
  };
  try {
    if (needs.has("sqlite")) {
      const dir = await mkdtemp(join(tmpdir(), "acb-micro-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      const store = openSqliteStore(join(dir, "auth.sqlite"));
      cleanups.push(() => store.close());
      fixtures.sqlite = await seed(store);
    }
    if (needs.has("postgres")) {
      try {
        fixtures.postgresVersion = await postgresVersion(urls.databaseUrl);
      } catch (error) {
        fixtures.unreachable.postgres = postgresUnreachable(urls.databaseUrl, error).message;
      }
      if (fixtures.postgresVersion !== null) {
        fixtures.postgresSchema = schema;
        cleanups.push(() => dropPostgresSchema(urls.databaseUrl, schema));
        const store = await openPostgresStore({ url: urls.databaseUrl, schema });
        cleanups.push(() => store.close());
        fixtures.postgres = await seed(store);
      }
    }
    if (needs.has("redis")) {
      const provided = await provideRedis(urls.redisUrl);
      if (typeof provided === "string") fixtures.unreachable.redis = provided;
      else {
        fixtures.redis = provided;
        cleanups.push(() => provided.stop());
        cleanups.push(() => deleteRedisKeys(provided.url, fixtures.redisKeyPrefix));
      }
    }
  } catch (error) {
    await fixtures.close();
    throw error;
  }
  return fixtures;
}

import pg from "pg";
import { postgresUnreachable } from "../../lib/errors.js";
import { storeUnavailable } from "../errors.js";
import type { Principal, SeedUser, Store, UserRecord } from "./store.js";

const schemaSql = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.users (
  id BIGSERIAL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL
);
ALTER TABLE ${schema}.users ADD COLUMN IF NOT EXISTS token_version INTEGER NOT NULL DEFAULT 0;
CREATE TABLE IF NOT EXISTS ${schema}.sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES ${schema}.users(id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON ${schema}.sessions(user_id);
`;

export interface PostgresOptions {
  url: string;
  /** A validated SQL identifier (config checks it), so it is safe to splice into statements. */
  schema: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  poolSize?: number;
}

// BIGINT arrives as a string by default; our ids and epoch-millisecond expiries fit a double.
const asNumber = (value: string | number) => Number(value);

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storeUnavailable(error);
  }
}

/** Names this server's connections in pg_stat_activity, followed by "/<pid>". */
export const POSTGRES_APPLICATION = "auth-cache-bench";

export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const s = options.schema;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
    query_timeout: options.queryTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // The harness finds the backends serving this process by it, to count their CPU.
    application_name: `${POSTGRES_APPLICATION}/${process.pid}`,
  });
  // An idle client that loses its connection emits here; without a listener the process dies.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      // Several servers may start at once on one database; CREATE ... IF NOT EXISTS races otherwise.
      await client.query("SELECT pg_advisory_lock(hashtext('auth-cache-bench-schema'))");
      await client.query(schemaSql(s));
    } finally {
      await client.query("SELECT pg_advisory_unlock_all()").catch(() => {});
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw postgresUnreachable(options.url, error);
  }

  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[]) =>
    guarded(() => pool.query<R>({ text, values }));

  return {
    kind: "postgres",
    seedUsers: async (users: readonly SeedUser[]) => {
      await query(
        `INSERT INTO ${s}.users (username, role, password_hash)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
        [users.map((u) => u.username), users.map((u) => u.role), users.map((u) => u.passwordHash)],
      );
    },
    findUser: async (username): Promise<UserRecord | undefined> => {
      const { rows } = await query<{
        id: string;
        username: string;
        role: UserRecord["role"];
        password_hash: string;
        token_version: number;
      }>(
        `SELECT id, username, role, password_hash, token_version FROM ${s}.users WHERE username = $1`,
        [username],
      );
      const row = rows[0];
      return (
        row && {
          id: asNumber(row.id),
          username: row.username,
          role: row.role,
          passwordHash: row.password_hash,
          tokenVersion: row.token_version,
        }
      );
    },
    createSession: async (tokenHash, userId, expiresAt) => {
      await query(
        `INSERT INTO ${s}.sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
        [tokenHash, userId, expiresAt],
      );
    },
    findSession: async (tokenHash, now): Promise<Principal | undefined> => {
      const { rows } = await query<{
        user_id: string;
        username: string;
        role: Principal["role"];
        expires_at: string;
      }>(
        `SELECT s.user_id, u.username, u.role, s.expires_at
         FROM ${s}.sessions s JOIN ${s}.users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2`,
        [tokenHash, now],
      );
      const row = rows[0];
      return (
        row && {
          userId: asNumber(row.user_id),
          username: row.username,
          role: row.role,
          expiresAt: asNumber(row.expires_at),
        }
      );
    },
    deleteSession: async (tokenHash) => {
      const result = await query(`DELETE FROM ${s}.sessions WHERE token_hash = $1`, [tokenHash]);
      return (result.rowCount ?? 0) > 0;
    },
    changePassword: (userId, passwordHash) =>
      guarded(async () => {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          await client.query(
            `UPDATE ${s}.users SET password_hash = $1, token_version = token_version + 1 WHERE id = $2`,
            [passwordHash, userId],
          );
          const { rows } = await client.query<{ token_hash: string }>(
            `DELETE FROM ${s}.sessions WHERE user_id = $1 RETURNING token_hash`,
            [userId],
          );
          await client.query("COMMIT");
          return rows.map((row) => row.token_hash);
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      }),
    findTokenVersion: async (userId) => {
      const { rows } = await query<{
        id: string;
        username: string;
        role: UserRecord["role"];
        token_version: number;
      }>(`SELECT id, username, role, token_version FROM ${s}.users WHERE id = $1`, [userId]);
      const row = rows[0];
      return (
        row && {
          userId: asNumber(row.id),
          username: row.username,
          role: row.role,
          tokenVersion: row.token_version,
        }
      );
    },
    bumpTokenVersion: async (userId) => {
      const { rows } = await query<{ token_version: number }>(
        `UPDATE ${s}.users SET token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
        [userId],
      );
      const row = rows[0];
      if (!row) throw storeUnavailable(new Error(`no user ${userId}`));
      return row.token_version - 1;
    },
    purgeExpired: async (now) => {
      const result = await query(`DELETE FROM ${s}.sessions WHERE expires_at <= $1`, [now]);
      return result.rowCount ?? 0;
    },
    ping: async () => {
      await query("SELECT 1", []);
    },
    serverVersion: async () => {
      const { rows } = await query<{ v: string }>("SHOW server_version", []);
      return `PostgreSQL ${rows[0]?.v ?? "unknown"}`;
    },
    close: () => pool.end(),
  };
}

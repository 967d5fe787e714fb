import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { storeUnavailable } from "../errors.js";
import type { Principal, SeedUser, Store, UserRecord } from "./store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  token_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_id);
`;

const SEED_BUSY_TIMEOUT_MS = 30_000;

/** A file written before users had a token version gets the column, every user at version 0. */
function addTokenVersion(db: Database.Database): void {
  const columns = db.pragma("table_info(users)") as { name: string }[];
  if (!columns.some((column) => column.name === "token_version")) {
    db.exec("ALTER TABLE users ADD COLUMN token_version INTEGER NOT NULL DEFAULT 0");
  }
}

interface SessionRow {
  user_id: number;
  username: string;
  role: Principal["role"];
  expires_at: number;
}

interface UserRow {
  id: number;
  username: string;
  role: UserRecord["role"];
  password_hash: string;
  token_version: number;
}

/** Runs a synchronous database call, turning driver failures (busy, I/O) into ACB_STORE_UNAVAILABLE. */
function guarded<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(storeUnavailable(error));
  }
}

export function openSqliteStore(path: string, busyTimeoutMs = 1000): Store {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  // WAL lets several server processes share the file: readers never wait for the writer.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.exec(SCHEMA);
  addTokenVersion(db);

  const statements = {
    upsertUser: db.prepare(
      `INSERT INTO users (username, role, password_hash) VALUES (?, ?, ?)
       ON CONFLICT(username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
    ),
    findUser: db.prepare<[string], UserRow>(
      "SELECT id, username, role, password_hash, token_version FROM users WHERE username = ?",
    ),
    createSession: db.prepare(
      "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)",
    ),
    findSession: db.prepare<[string, number], SessionRow>(
      `SELECT s.user_id, u.username, u.role, s.expires_at
       FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.token_hash = ? AND s.expires_at > ?`,
    ),
    deleteSession: db.prepare("DELETE FROM sessions WHERE token_hash = ?"),
    setPassword: db.prepare(
      "UPDATE users SET password_hash = ?, token_version = token_version + 1 WHERE id = ?",
    ),
    findTokenVersion: db.prepare<[number], Omit<UserRow, "password_hash">>(
      "SELECT id, username, role, token_version FROM users WHERE id = ?",
    ),
    bumpTokenVersion: db.prepare<[number], { token_version: number }>(
      "UPDATE users SET token_version = token_version + 1 WHERE id = ? RETURNING token_version",
    ),
    deleteUserSessions: db.prepare<[number], { token_hash: string }>(
      "DELETE FROM sessions WHERE user_id = ? RETURNING token_hash",
    ),
    purge: db.prepare("DELETE FROM sessions WHERE expires_at <= ?"),
    version: db.prepare<[], { v: string }>("SELECT sqlite_version() AS v"),
  };
  const seed = db.transaction((users: readonly SeedUser[]) => {
    for (const user of users)
      statements.upsertUser.run(user.username, user.role, user.passwordHash);
  });
  const changePassword = db.transaction((userId: number, passwordHash: string) => {
    statements.setPassword.run(passwordHash, userId);
    return statements.deleteUserSessions.all(userId).map((row) => row.token_hash);
  });

  return {
    kind: "sqlite",
    seedUsers: (users) =>
      guarded(() => {
        // Several instances start at once and all seed: at start, waiting is right; on requests it is not.
        db.pragma(`busy_timeout = ${SEED_BUSY_TIMEOUT_MS}`);
        try {
          seed(users);
        } finally {
          db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        }
      }),
    findUser: (username) =>
      guarded(() => {
        const row = statements.findUser.get(username);
        return (
          row && {
            id: row.id,
            username: row.username,
            role: row.role,
            passwordHash: row.password_hash,
            tokenVersion: row.token_version,
          }
        );
      }),
    createSession: (tokenHash, userId, expiresAt) =>
      guarded(() => {
        statements.createSession.run(tokenHash, userId, expiresAt);
      }),
    findSession: (tokenHash, now) =>
      guarded(() => {
        const row = statements.findSession.get(tokenHash, now);
        return (
          row && {
            userId: row.user_id,
            username: row.username,
            role: row.role,
            expiresAt: row.expires_at,
          }
        );
      }),
    deleteSession: (tokenHash) =>
      guarded(() => statements.deleteSession.run(tokenHash).changes > 0),
    changePassword: (userId, passwordHash) => guarded(() => changePassword(userId, passwordHash)),
    findTokenVersion: (userId) =>
      guarded(() => {
        const row = statements.findTokenVersion.get(userId);
        return (
          row && {
            userId: row.id,
            username: row.username,
            role: row.role,
            tokenVersion: row.token_version,
          }
        );
      }),
    bumpTokenVersion: (userId) =>
      guarded(() => {
        const row = statements.bumpTokenVersion.get(userId);
        if (!row) throw new Error(`no user ${userId}`);
        return row.token_version - 1;
      }),
    purgeExpired: (now) => guarded(() => statements.purge.run(now).changes),
    ping: () => guarded(() => void statements.version.get()),
    serverVersion: () => guarded(() => `SQLite ${statements.version.get()?.v ?? "unknown"}`),
    close: async () => {
      db.close();
    },
  };
}

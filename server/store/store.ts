/** The sources of truth a server can use: SQLite embedded, PostgreSQL over the network. */
export const STORE_KINDS = ["sqlite", "postgres"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export const ROLES = ["admin", "user"] as const;
export type Role = (typeof ROLES)[number];

/** Who a valid token belongs to, and until when (epoch milliseconds). */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  expiresAt: number;
}

export interface UserRecord {
  id: number;
  username: string;
  role: Role;
  passwordHash: string;
  /** What jwt-version tokens carry as `ver`; a logout or a password change moves it on. */
  tokenVersion: number;
}

/** Who a user is now, and the token version their JWTs must carry (jwt-version). */
export interface TokenVersion {
  userId: number;
  username: string;
  role: Role;
  tokenVersion: number;
}

export interface SeedUser {
  username: string;
  role: Role;
  passwordHash: string;
}

/**
 * The source of truth for users and sessions. Sessions are keyed by the SHA-256 of the token.
 * Every method that fails to reach the database throws ACB_STORE_UNAVAILABLE.
 */
export interface Store {
  readonly kind: StoreKind;
  /** Inserts or updates the given users: the credentials files win for the users they name. */
  seedUsers(users: readonly SeedUser[]): Promise<void>;
  findUser(username: string): Promise<UserRecord | undefined>;
  createSession(tokenHash: string, userId: number, expiresAt: number): Promise<void>;
  /** The session's principal when it exists and has not expired at `now`. */
  findSession(tokenHash: string, now: number): Promise<Principal | undefined>;
  /** True when a session was deleted. */
  deleteSession(tokenHash: string): Promise<boolean>;
  /**
   * Replaces the hash, deletes every session of the user and moves their token version on, in one
   * transaction; returns the deleted token hashes.
   */
  changePassword(userId: number, passwordHash: string): Promise<string[]>;
  findTokenVersion(userId: number): Promise<TokenVersion | undefined>;
  /** Moves the user's token version on (a jwt-version logout); returns the version it replaced. */
  bumpTokenVersion(userId: number): Promise<number>;
  purgeExpired(now: number): Promise<number>;
  ping(): Promise<void>;
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

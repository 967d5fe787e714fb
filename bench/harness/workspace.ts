import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { generatedKeys, JWT_ALGS, type JwtAlg, signingJwk } from "../../server/auth/jwt-keys.js";
import type { StoreKind } from "../../server/store/store.js";
import { deleteRedisKeys, dropPostgresSchema, type RedisTarget } from "./services.js";

/**
 * A store and a Redis key space of its own for one benchmark run: SQLite files or PostgreSQL
 * schemas, keys under one prefix, and a JWT key per algorithm, all removed after.
 */
export interface Workspace {
  id: string;
  sqlitePath(part?: string): string;
  pgSchema(part?: string): string;
  redisKeyPrefix(part: string): string;
  /**
   * A key file per JWT algorithm, made once: every server of the run signs and verifies with it,
   * so that the tokens one server issued are accepted by every later one, as with opaque sessions.
   */
  jwtKeyFiles(): Promise<Record<JwtAlg, string>>;
  cleanup(): Promise<void>;
}

export function createWorkspace(
  store: StoreKind,
  databaseUrl: string,
  redis: RedisTarget | undefined,
): Workspace {
  const id = randomUUID().replaceAll("-", "").slice(0, 10);
  const suffix = (part?: string) => (part === undefined ? id : `${id}_${part}`);
  const files = new Set<string>();
  const schemas = new Set<string>();
  let keyFiles: Promise<Record<JwtAlg, string>> | undefined;
  const writeKeyFiles = async () => {
    await mkdir("data/bench", { recursive: true });
    const entries = await Promise.all(
      JWT_ALGS.map(async (alg) => {
        const path = `data/bench/${id}-${alg}.jwk`;
        files.add(path);
        await writeFile(path, signingJwk(generatedKeys(alg)), { mode: 0o600 });
        return [alg, path] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<JwtAlg, string>;
  };
  return {
    id,
    sqlitePath: (part) => {
      const path = `data/bench/${suffix(part)}.sqlite`;
      files.add(path);
      return path;
    },
    pgSchema: (part) => {
      // A mode's name may hold a hyphen (jwt-es256); a schema name may not.
      const schema = `bench_${suffix(part)}`.replaceAll("-", "_");
      schemas.add(schema);
      return schema;
    },
    redisKeyPrefix: (part) => `acb-bench:${id}:${part}:`,
    jwtKeyFiles: () => {
      keyFiles ??= writeKeyFiles();
      return keyFiles;
    },
    cleanup: async () => {
      if (redis) await deleteRedisKeys(redis, `acb-bench:${id}:`).catch(() => {});
      if (store === "postgres") {
        for (const schema of schemas) await dropPostgresSchema(databaseUrl, schema).catch(() => {});
      }
      for (const path of files) {
        for (const extension of ["", "-wal", "-shm"])
          await rm(`${path}${extension}`, { force: true });
      }
    },
  };
}

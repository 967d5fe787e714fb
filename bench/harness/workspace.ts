import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import type { StoreKind } from "../../server/store/store.js";
import { deleteRedisKeys, dropPostgresSchema } from "./services.js";

/**
 * A store and a Redis key space of its own for one benchmark run: SQLite files or PostgreSQL
 * schemas, and keys under one prefix, all removed after.
 */
export interface Workspace {
  id: string;
  sqlitePath(part?: string): string;
  pgSchema(part?: string): string;
  redisKeyPrefix(part: string): string;
  cleanup(): Promise<void>;
}

export function createWorkspace(
  store: StoreKind,
  databaseUrl: string,
  redisUrl: string | undefined,
): Workspace {
  const id = randomUUID().replaceAll("-", "").slice(0, 10);
  const suffix = (part?: string) => (part === undefined ? id : `${id}_${part}`);
  const files = new Set<string>();
  const schemas = new Set<string>();
  return {
    id,
    sqlitePath: (part) => {
      const path = `data/bench/${suffix(part)}.sqlite`;
      files.add(path);
      return path;
    },
    pgSchema: (part) => {
      const schema = `bench_${suffix(part)}`;
      schemas.add(schema);
      return schema;
    },
    redisKeyPrefix: (part) => `acb-bench:${id}:${part}:`,
    cleanup: async () => {
      if (redisUrl) await deleteRedisKeys(redisUrl, `acb-bench:${id}:`).catch(() => {});
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

import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { dropPostgresSchema } from "./services.js";

/** A store of its own for one benchmark run: a SQLite file or a PostgreSQL schema, removed after. */
export interface Workspace {
  id: string;
  sqlitePath(part?: string): string;
  pgSchema(part?: string): string;
  cleanup(): Promise<void>;
}

export function createWorkspace(store: "sqlite" | "postgres", databaseUrl: string): Workspace {
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
    cleanup: async () => {
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

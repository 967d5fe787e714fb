import type { Config } from "../config.js";
import { withOriginLatency } from "./origin-latency.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export async function openStore(config: Config): Promise<Store> {
  const store =
    config.store === "postgres"
      ? await openPostgresStore({ url: config.databaseUrl, schema: config.pgSchema })
      : openSqliteStore(config.sqlitePath);
  return withOriginLatency(store, config.originLatencyMs);
}

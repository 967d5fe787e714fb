import type { Config } from "../config.js";
import { withOriginLatency } from "./origin-latency.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

/** The store of `config`, at its --origin-latency-ms; `added` hears each read's added delay. */
export async function openStore(config: Config, added?: (ms: number) => void): Promise<Store> {
  const store =
    config.store === "postgres"
      ? await openPostgresStore({ url: config.databaseUrl, schema: config.pgSchema })
      : openSqliteStore(config.sqlitePath);
  return withOriginLatency(store, config.originLatencyMs, added);
}

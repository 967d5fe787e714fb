import type { CacheMode } from "../../server/cache/token-cache.js";

/** What every server process of one benchmark shares: the store, Redis, the users, the cache settings. */
export interface ServerSetup {
  store: "sqlite" | "postgres";
  sqlitePath: string;
  pgSchema: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  credentials: readonly string[];
  cacheTtl: number;
  cacheMax: number;
  originLatencyMs: number;
  localCacheTtl?: number;
}

/** Command-line arguments of the reference server for one mode; `ceiling` is auth switched off. */
export function serverArgs(mode: CacheMode | "ceiling", setup: ServerSetup): string[] {
  return [
    ...[
      "--port",
      "0",
      "--store",
      setup.store,
      "--sqlite-path",
      setup.sqlitePath,
      "--pg-schema",
      setup.pgSchema,
    ],
    ...[
      "--database-url",
      setup.databaseUrl,
      "--redis-url",
      setup.redisUrl,
      "--redis-key-prefix",
      setup.redisKeyPrefix,
    ],
    ...[
      "--credentials",
      ["credentials.json", ...setup.credentials].join(","),
      "--token-ttl",
      "86400",
    ],
    ...["--cache-ttl", String(setup.cacheTtl), "--cache-max", String(setup.cacheMax)],
    ...["--origin-latency-ms", String(setup.originLatencyMs)],
    ...(setup.localCacheTtl === undefined
      ? []
      : ["--local-cache-ttl", String(setup.localCacheTtl)]),
    ...(mode === "ceiling" ? ["--auth", "off", "--cache", "none"] : ["--cache", mode]),
  ];
}

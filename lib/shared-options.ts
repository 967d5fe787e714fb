import { flagOn, nonEmpty, type OptionSpec, text, urlWithScheme } from "./option-table.js";

// Options that the server and several benchmark commands take alike: one spec each, with the
// command's own help text.

export const redisUrlOption = <T extends { redisUrl: string }>(
  help: string,
): OptionSpec<T, "redisUrl"> => ({
  flag: "redis-url",
  env: "REDIS_URL",
  help,
  parse: text as (raw: string) => T["redisUrl"],
  check: urlWithScheme("redis:", "rediss:"),
});

export const databaseUrlOption = <T extends { databaseUrl: string }>(
  help: string,
): OptionSpec<T, "databaseUrl"> => ({
  flag: "database-url",
  env: "DATABASE_URL",
  help,
  parse: text as (raw: string) => T["databaseUrl"],
  check: urlWithScheme("postgres:", "postgresql:"),
});

export const outOption = <T extends { out: string }>(): OptionSpec<T, "out"> => ({
  flag: "out",
  help: "folder the report folders go to",
  parse: text as (raw: string) => T["out"],
  check: nonEmpty,
});

export const jsonOption = <T extends { json: boolean }>(): OptionSpec<T, "json"> => ({
  flag: "json",
  boolean: true,
  help: "print the results JSON on stdout and nothing else",
  parse: flagOn as (raw: string) => T["json"],
});

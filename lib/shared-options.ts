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

/**
 * Extra flags for the servers a benchmark starts, in quotes: "--inject-cpu-us 40 --cache-max 500".
 * Split on spaces; each is checked by the server that gets it.
 */
export const serverArgsOption = <T, K extends keyof T>(
  flag: string,
  help: string,
): OptionSpec<T, K> => ({
  flag,
  help,
  takesFlags: true,
  parse: ((raw: string) => raw.trim().split(/\s+/).filter(Boolean)) as (raw: string) => T[K],
  check: (value) => {
    const args = value as unknown as string[];
    return args.length === 0 || args[0]?.startsWith("--") ? undefined : "must start with a --flag";
  },
  show: (value) => {
    const args = value as unknown as string[];
    return args.length > 0 ? `"${args.join(" ")}"` : "none";
  },
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

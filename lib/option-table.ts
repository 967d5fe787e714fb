import { parseArgs } from "node:util";
import { configInvalid } from "./errors.js";

/**
 * One table per command describes every option: its flag, environment variable, help text,
 * parser and check. Parsing, validation and --help are all driven from it, so they cannot drift.
 */
export interface OptionSpec<T, K extends keyof T> {
  flag: string;
  env?: string;
  help: string;
  /** Boolean options are bare flags (--json); everything else takes a value. */
  boolean?: boolean;
  parse: (raw: string) => T[K];
  check?: (value: T[K]) => string | undefined;
  /** How the default reads in --help, when String(value) does not say it well. */
  show?: (value: T[K]) => string;
  /** Its value is other flags ("--inject-cpu-us 40"): taken whole, though it starts with dashes. */
  takesFlags?: boolean;
  /** Given once per item (--target a=URL --target b=URL): each parsed alone, the lists joined. */
  repeatable?: boolean;
}

export type OptionTable<T> = { [K in keyof T]: OptionSpec<T, K> };

export const integer = (raw: string): number => (raw.trim() === "" ? Number.NaN : Number(raw));
export const text = (raw: string): string => raw;
export const flagOn = (raw: string): boolean => raw !== "false" && raw !== "0";
export const list = (raw: string): string[] =>
  raw
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
/** Enum values are taken as they come and then rejected by memberOf when they are not members. */
export const oneOf =
  <E extends string>() =>
  (raw: string): E =>
    raw as E;

/** A comma-separated list of members of `values`, parsed as typed and checked by subsetOf. */
export const listOf =
  <E extends string>() =>
  (raw: string): E[] =>
    list(raw) as E[];
/** `named` are the members the message offers; `values` may hold more that are set otherwise. */
export const subsetOf =
  <E extends string>(values: readonly E[], named: readonly E[] = values) =>
  (items: readonly E[]): string | undefined =>
    items.length > 0 && items.every((item) => values.includes(item))
      ? undefined
      : `must be a comma-separated list of ${named.join(", ")}`;

export const inRange =
  (min: number, max: number) =>
  (value: number): string | undefined =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `must be an integer from ${min} to ${max}`;
/** A number with a fraction allowed (milliseconds, shares), from `min` to `max`. */
export const numberInRange =
  (min: number, max: number) =>
  (value: number): string | undefined =>
    Number.isFinite(value) && value >= min && value <= max
      ? undefined
      : `must be a number from ${min} to ${max}`;
export const memberOf =
  <E extends string>(values: readonly E[]) =>
  (value: E): string | undefined =>
    values.includes(value) ? undefined : `must be one of ${values.join(", ")}`;
export const urlWithScheme =
  (...schemes: string[]) =>
  (value: string): string | undefined => {
    const problem = `must be a ${schemes.join(" or ")} URL`;
    try {
      return schemes.includes(new URL(value).protocol) ? undefined : problem;
    } catch {
      return problem;
    }
  };
export const nonEmpty = (value: string): string | undefined =>
  value.length > 0 ? undefined : "must not be empty";

const keysOf = <T>(table: OptionTable<T>) => Object.keys(table) as (keyof T & string)[];

function shown<T, K extends keyof T>(spec: OptionSpec<T, K>, value: T[K]): string {
  if (spec.show) return spec.show(value);
  if (Array.isArray(value)) return value.join(",");
  return Number.isNaN(value) ? "not a number" : String(value);
}

/** `raw` is what the user typed, when there was typing: "abc" says more than "not a number". */
function checkOne<T, K extends keyof T>(
  spec: OptionSpec<T, K>,
  value: T[K],
  source: string,
  raw?: string,
): void {
  const problem = spec.check?.(value);
  if (problem !== undefined) {
    throw configInvalid(`${source} ${problem}, got ${JSON.stringify(raw ?? shown(spec, value))}`);
  }
}

/** Validates a whole configuration object (tests and library callers build them directly). */
export function checkAll<T>(table: OptionTable<T>, config: T): T {
  for (const key of keysOf(table)) checkOne(table[key], config[key], key);
  return config;
}

/**
 * `--server-args "--inject-cpu-us 40"` as `--server-args=--inject-cpu-us 40` for an option that
 * takes flags: parseArgs would take a separate value that starts with dashes for a flag.
 */
function withFlagValues<T>(table: OptionTable<T>, argv: readonly string[]): string[] {
  const takesFlags = new Set(
    keysOf(table)
      .filter((key) => table[key].takesFlags)
      .map((key) => `--${table[key].flag}`),
  );
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = argv[i + 1];
    if (takesFlags.has(arg) && value !== undefined) {
      out.push(`${arg}=${value}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Flags over environment variables over defaults. Throws ACB_CONFIG_INVALID naming the bad input. */
export function parseOptions<T>(
  table: OptionTable<T>,
  defaults: Readonly<T>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): T {
  const keys = keysOf(table);
  const args = withFlagValues(table, argv);
  const flags = Object.fromEntries(
    keys.map((key) => [
      table[key].flag,
      {
        type: table[key].boolean ? ("boolean" as const) : ("string" as const),
        multiple: table[key].repeatable === true,
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: flags, strict: true, allowPositionals: false });
  } catch (error) {
    // parseArgs explains over several lines; the first says what is wrong with which flag.
    const [first = "bad arguments"] = (error as Error).message.split("\n");
    throw configInvalid(first.split(". ")[0] ?? first);
  }
  const config = { ...defaults } as T;
  for (const key of keys) {
    const spec = table[key];
    const fromFlag = parsed.values[spec.flag];
    const fromEnv = spec.env === undefined ? undefined : env[spec.env];
    if (fromFlag === undefined && fromEnv === undefined) continue;
    const raws = Array.isArray(fromFlag) ? fromFlag.map(String) : undefined;
    const raw = raws
      ? raws.join(" ")
      : fromFlag === undefined
        ? (fromEnv as string)
        : String(fromFlag);
    const value = raws
      ? (raws.flatMap((one) => spec.parse(one) as unknown[]) as T[typeof key])
      : spec.parse(raw);
    checkOne(spec, value, fromFlag === undefined ? (spec.env as string) : `--${spec.flag}`, raw);
    config[key] = value;
  }
  return config;
}

/** Names the options the user actually gave, so derived defaults know what not to override. */
export function givenOptions<T>(
  table: OptionTable<T>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Set<keyof T> {
  return new Set(
    keysOf(table).filter((key) => {
      const spec = table[key];
      return (
        argv.some((arg) => arg === `--${spec.flag}` || arg.startsWith(`--${spec.flag}=`)) ||
        (spec.env !== undefined && env[spec.env] !== undefined)
      );
    }),
  );
}

export function usageText<T>(
  table: OptionTable<T>,
  defaults: Readonly<T>,
  command: string,
): string {
  const rows = keysOf(table).map((key) => {
    const spec = table[key];
    const value = shown(spec, defaults[key]);
    const where = [spec.env, spec.boolean ? undefined : `default ${value === "" ? "none" : value}`]
      .filter((part) => part !== undefined)
      .join("; ");
    const again = spec.repeatable ? " (repeatable)" : "";
    return `  --${spec.flag.padEnd(21)} ${spec.help}${again}${where ? ` [${where}]` : ""}`;
  });
  return [`Usage: ${command} [options]`, "", ...rows].join("\n");
}

/**
 * The command line that gives `values` to a command whose options are `table`, each value checked
 * first: how the harness starts a server with exactly the flags the server itself declares.
 */
export function commandLine<T>(table: OptionTable<T>, values: Partial<T>): string[] {
  return (Object.keys(values) as (keyof T & string)[]).flatMap((key) => {
    const spec = table[key];
    const value = values[key] as T[typeof key];
    checkOne(spec, value, `--${spec.flag}`);
    if (spec.boolean) return value ? [`--${spec.flag}`] : [];
    return [`--${spec.flag}`, shown(spec, value)];
  });
}

/**
 * A server option that a benchmark takes and passes on: the server's flag, parser and check, with
 * the benchmark's own help. No environment variable: the server's ACB_* variables configure a
 * server, not a benchmark that starts many.
 */
export function passedOn<T, K extends keyof T, U, L extends keyof U>(
  spec: OptionSpec<T, K>,
  help: string,
): OptionSpec<U, L> {
  const { env: _, ...rest } = spec;
  // The caller's field holds the same type as the server's (U[L] is T[K]); TypeScript cannot see it.
  return { ...rest, help } as unknown as OptionSpec<U, L>;
}

import type { Principal } from "../store/store.js";

/** The cache modes a server can run in; `none` asks the store on every request. */
export const CACHE_MODES = ["none", "memory", "redis", "tiered"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** What a cache read says about a token hash. */
export type Lookup =
  | { readonly kind: "hit"; readonly principal: Principal }
  /** Not cached: ask the store, then fill. */
  | { readonly kind: "miss" }
  /** Revoked here recently: reject without asking the store. */
  | { readonly kind: "revoked" }
  /** The cache failed to answer in time: ask the store, do not fill. */
  | { readonly kind: "error" }
  /** The cache is off or not trusted right now: ask the store, do not fill. */
  | { readonly kind: "bypass" };

type Only<K extends Lookup["kind"]> = Extract<Lookup, { kind: K }>;
export const MISS: Only<"miss"> = Object.freeze({ kind: "miss" });
export const REVOKED: Only<"revoked"> = Object.freeze({ kind: "revoked" });
export const ERROR: Only<"error"> = Object.freeze({ kind: "error" });
export const BYPASS: Only<"bypass"> = Object.freeze({ kind: "bypass" });

export type CacheOp = "get" | "fill" | "invalidate";

export interface CacheEvents {
  error(op: CacheOp, error: unknown): void;
}

/**
 * A cache of token hash → principal in front of the store.
 * Invalidation leaves a tombstone for the cache TTL and fills only where nothing is cached,
 * so a store read that started before a revocation cannot put the revoked token back.
 */
export interface TokenCache {
  readonly mode: CacheMode;
  /** In-process caches answer synchronously, so that a hit costs no promise. */
  get(tokenHash: string): Lookup | Promise<Lookup>;
  /** Caches a principal the store just returned; failures are reported through CacheEvents. */
  fill(tokenHash: string, principal: Principal, now: number): void;
  /** Never throws: a failed invalidation makes the cache bypass itself until it is consistent. */
  invalidate(tokenHashes: readonly string[]): Promise<void>;
  /**
   * Entries held in this process's memory, tombstones included; a shared tier's entries live in
   * Redis and are counted there.
   */
  localEntries(): number;
  /** Whether the cache can answer right now (health). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * How long a filled entry lives: the cache TTL, shortened at random by up to `jitter` of it, so
 * that entries filled together (a deploy, a flush) do not all expire together. Jitter only ever
 * shortens: a revoked token's exposure stays bounded by the TTL as configured.
 */
export interface EntryLife {
  ttlMs: number;
  /** A fraction from 0 (every entry lives the whole TTL) to below 1. */
  jitter?: number;
  /** [0, 1); tests inject their own. */
  random?: () => number;
}

/** A cache entry never outlives its token. Zero or less means: do not cache. */
export function entryTtlMs(principal: Principal, now: number, life: EntryLife): number {
  const shortened = life.ttlMs * (1 - (life.jitter ?? 0) * (life.random ?? Math.random)());
  return Math.floor(Math.min(shortened, principal.expiresAt - now));
}

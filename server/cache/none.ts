import { BYPASS, type TokenCache } from "./token-cache.js";

/** Every check asks the store. */
export function createNoCache(): TokenCache {
  return {
    mode: "none",
    get: () => BYPASS,
    fill: () => {},
    invalidate: () => Promise.resolve(),
    localEntries: () => 0,
    healthy: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

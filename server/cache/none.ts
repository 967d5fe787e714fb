import { BYPASS, type TokenCache } from "./token-cache.js";

/** Every check asks the store. */
export function createNoCache(): TokenCache {
  return {
    mode: "none",
    get: () => Promise.resolve(BYPASS),
    fill: () => {},
    invalidate: () => Promise.resolve(),
    healthy: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}

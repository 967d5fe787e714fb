import { list } from "../../lib/option-table.js";
import { PLAIN_JWT_MODES } from "../../server/modes.js";

/**
 * `jwt` in --modes names plain JWTs at every algorithm: their verification cost spans 30× from
 * HMAC to Ed25519, so that no one algorithm may decide how JWTs compare.
 */
export const JWT_ALIAS = "jwt";
export const JWT_ALIAS_HELP = `${JWT_ALIAS}: ${PLAIN_JWT_MODES.join(",")}`;

/** A comma-separated list of modes, `jwt` expanded, each mode once in the order first named. */
export const modeList =
  <E extends string>() =>
  (raw: string): E[] => [
    ...new Set(list(raw).flatMap((mode) => (mode === JWT_ALIAS ? PLAIN_JWT_MODES : [mode])) as E[]),
  ];

import { bearerToken, couldBeOurToken, hashToken, newToken } from "../../../server/auth/token.js";
import { BATCH, ensure, type SuiteSpec } from "../measure.js";

/** What every request pays before any lookup, and what every login pays to issue a token. */
export function tokenSuite(): SuiteSpec {
  const token = newToken();
  const header = `Bearer ${token}`;
  return {
    name: "token",
    title: "token handling (server/auth/token.ts)",
    notes: [],
    tasks: [
      {
        id: "token.generate",
        name: "token generation",
        batch: BATCH,
        async: false,
        call: () => ensure(newToken().length === token.length, "a token of another length"),
      },
      {
        id: "token.header",
        name: "bearer header parse",
        batch: BATCH,
        async: false,
        call: () => ensure(bearerToken(header).length === token.length, "the token was not parsed"),
      },
      {
        id: "token.syntax",
        name: "token syntax check",
        batch: BATCH,
        async: false,
        call: () => ensure(couldBeOurToken(token), "a valid token failed the syntax check"),
      },
      {
        id: "token.sha256",
        name: "SHA-256 of a token",
        batch: BATCH,
        async: false,
        call: () => ensure(hashToken(token).length === 64, "not a hex SHA-256"),
      },
    ],
  };
}

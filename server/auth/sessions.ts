import { randomBytes } from "node:crypto";
import { badCredentials, wrongPassword } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";
import type { HashGate } from "./hash-gate.js";
import type { LoginGuard } from "./login-guard.js";
import { hashPassword, type ScryptCost, verifyPassword } from "./password.js";
import type { IssuedToken, Presented, Tokens } from "./tokens.js";

export interface SessionsDeps {
  store: Store;
  tokens: Tokens;
  metrics: Metrics;
  passwordCost: ScryptCost;
  /** Every scrypt computation, verification or new hash, goes through it. */
  hashing: HashGate;
  guard: LoginGuard;
}

export interface Sessions {
  /** `address` is the client's, for throttling. */
  login(username: string, password: string, address: string): Promise<IssuedToken>;
  logout(presented: Presented): Promise<void>;
  /**
   * Replaces the password, revokes every token of the user (plain JWTs excepted: nothing can), and
   * issues a new one.
   */
  changePassword(
    principal: Principal,
    presented: Presented,
    oldPassword: string,
    newPassword: string,
  ): Promise<IssuedToken>;
}

export function createSessions(deps: SessionsDeps): Sessions {
  const { store, tokens, metrics, hashing, guard } = deps;
  // Unknown users are verified against this hash, so they cost what a wrong password costs.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hashing.run(() =>
      hashPassword(randomBytes(16).toString("hex"), deps.passwordCost),
    );
    return dummyHash;
  };

  return {
    login: async (username, password, address) => {
      await guard.admit(address, username);
      metrics.storeLookup("user");
      const user = await store.findUser(username);
      const phc = user?.passwordHash ?? (await dummy());
      const valid = await hashing.run(() => verifyPassword(password, phc));
      if (!user || !valid) {
        await guard.failed(username);
        throw badCredentials();
      }
      await guard.succeeded(username);
      return tokens.issue(user);
    },
    logout: (presented) => tokens.logout(presented),
    changePassword: async (principal, presented, oldPassword, newPassword) => {
      metrics.storeLookup("user");
      const user = await store.findUser(principal.username);
      if (!user) throw wrongPassword();
      if (!(await hashing.run(() => verifyPassword(oldPassword, user.passwordHash)))) {
        throw wrongPassword();
      }
      const newHash = await hashing.run(() => hashPassword(newPassword, deps.passwordCost));
      const deleted = await store.changePassword(user.id, newHash);
      await tokens.passwordChanged(presented, deleted);
      // The change moved the token version on by one in its transaction; the new token carries
      // it. A logout racing the change moves it further, and ends this token too: it fails safe.
      return tokens.issue({ ...user, tokenVersion: user.tokenVersion + 1 });
    },
  };
}

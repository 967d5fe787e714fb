import { randomBytes } from "node:crypto";
import type { TokenCache } from "../cache/token-cache.js";
import { badCredentials, wrongPassword } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";
import type { HashGate } from "./hash-gate.js";
import type { LoginGuard } from "./login-guard.js";
import { hashPassword, type ScryptCost, verifyPassword } from "./password.js";
import { hashToken, newToken } from "./token.js";

export interface SessionsDeps {
  store: Store;
  cache: TokenCache;
  metrics: Metrics;
  clock: () => number;
  tokenTtlSeconds: number;
  passwordCost: ScryptCost;
  /** Every scrypt computation, verification or new hash, goes through it. */
  hashing: HashGate;
  guard: LoginGuard;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

export interface Sessions {
  /** `address` is the client's, for throttling. */
  login(username: string, password: string, address: string): Promise<IssuedToken>;
  logout(tokenHash: string): Promise<void>;
  /** Replaces the password, revokes every token of the user, and issues a new one. */
  changePassword(
    principal: Principal,
    oldPassword: string,
    newPassword: string,
  ): Promise<IssuedToken>;
}

export function createSessions(deps: SessionsDeps): Sessions {
  const { store, cache, metrics, clock, hashing, guard } = deps;
  // Unknown users are verified against this hash, so they cost what a wrong password costs.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hashing.run(() =>
      hashPassword(randomBytes(16).toString("hex"), deps.passwordCost),
    );
    return dummyHash;
  };

  const issue = async (userId: number): Promise<IssuedToken> => {
    const accessToken = newToken();
    await store.createSession(
      hashToken(accessToken),
      userId,
      clock() + deps.tokenTtlSeconds * 1000,
    );
    return { accessToken, expiresIn: deps.tokenTtlSeconds };
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
      return issue(user.id);
    },
    logout: async (tokenHash) => {
      await store.deleteSession(tokenHash);
      await cache.invalidate([tokenHash]);
    },
    changePassword: async (principal, oldPassword, newPassword) => {
      metrics.storeLookup("user");
      const user = await store.findUser(principal.username);
      if (!user) throw wrongPassword();
      const { id, passwordHash } = user;
      if (!(await hashing.run(() => verifyPassword(oldPassword, passwordHash)))) {
        throw wrongPassword();
      }
      const newHash = await hashing.run(() => hashPassword(newPassword, deps.passwordCost));
      const revoked = await store.changePassword(id, newHash);
      await cache.invalidate(revoked);
      return issue(id);
    },
  };
}

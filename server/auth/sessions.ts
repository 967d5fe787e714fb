import { randomBytes } from "node:crypto";
import type { TokenCache } from "../cache/token-cache.js";
import { badCredentials, wrongPassword } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Principal, Store } from "../store/store.js";
import { hashPassword, type ScryptCost, verifyPassword } from "./password.js";
import { hashToken, newToken } from "./token.js";

export interface SessionsDeps {
  store: Store;
  cache: TokenCache;
  metrics: Metrics;
  clock: () => number;
  tokenTtlSeconds: number;
  passwordCost: ScryptCost;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
}

export interface Sessions {
  login(username: string, password: string): Promise<IssuedToken>;
  logout(tokenHash: string): Promise<void>;
  /** Replaces the password, revokes every token of the user, and issues a new one. */
  changePassword(
    principal: Principal,
    oldPassword: string,
    newPassword: string,
  ): Promise<IssuedToken>;
}

export function createSessions(deps: SessionsDeps): Sessions {
  const { store, cache, metrics, clock } = deps;
  // Unknown users are verified against this hash, so they cost what a wrong password costs.
  let dummyHash: Promise<string> | undefined;
  const dummy = () => {
    dummyHash ??= hashPassword(randomBytes(16).toString("hex"), deps.passwordCost);
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
    login: async (username, password) => {
      metrics.storeLookup("user");
      const user = await store.findUser(username);
      const valid = await verifyPassword(password, user?.passwordHash ?? (await dummy()));
      if (!user || !valid) throw badCredentials();
      return issue(user.id);
    },
    logout: async (tokenHash) => {
      await store.deleteSession(tokenHash);
      await cache.invalidate([tokenHash]);
    },
    changePassword: async (principal, oldPassword, newPassword) => {
      metrics.storeLookup("user");
      const user = await store.findUser(principal.username);
      if (!user || !(await verifyPassword(oldPassword, user.passwordHash))) throw wrongPassword();
      const newHash = await hashPassword(newPassword, deps.passwordCost);
      const revoked = await store.changePassword(user.id, newHash);
      await cache.invalidate(revoked);
      return issue(user.id);
    },
  };
}

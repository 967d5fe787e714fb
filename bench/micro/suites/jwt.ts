import { createSigner, createVerifier } from "fast-jwt";
import { jwtVerify, SignJWT } from "jose";
import { createJwtCodec } from "../../../server/auth/jwt.js";
import {
  generatedKeys,
  JWT_ALGS,
  type JwtAlg,
  libraryKeys,
} from "../../../server/auth/jwt-keys.js";
import { noRevocation } from "../../../server/auth/jwt-revocation.js";
import { bearerToken } from "../../../server/auth/token.js";
import { BATCH, ensure, type SuiteSpec, type TaskSpec } from "../measure.js";

const SUBJECT = { id: 2, username: "jane", role: "user", tokenVersion: 0 } as const;
/** HMAC is a few microseconds: batched like the other short calls. Signatures take tens. */
const batchOf = (alg: JwtAlg): { batch?: number } => (alg === "HS256" ? { batch: BATCH } : {});

/**
 * fast-jwt's benchmarks README, for reference only: an Apple M1 Pro on Node 24, not this
 * machine, so never a ratio against ours.
 */
export const FAST_JWT_PUBLISHED =
  "fast-jwt's own published figures, on an Apple M1 Pro with Node 24 (a different machine: a reference, not a comparison): HS256 verify 2.77 µs, EdDSA verify 86 µs, RS512 verify 57 µs";

function algorithmTasks(alg: JwtAlg): TaskSpec[] {
  const keys = generatedKeys(alg);
  const codec = createJwtCodec({
    keys,
    ttlSeconds: 3600,
    versioned: false,
    clock: Date.now,
    verifyCacheSeconds: 0,
  });
  const { token, claims } = codec.sign(SUBJECT);
  const header = `Bearer ${token}`;
  const pem = libraryKeys(keys);
  const fastSign = createSigner({ key: pem.signing, algorithm: alg, noTimestamp: true });
  const fastVerify = createVerifier({ key: pem.verifying, algorithms: [alg] });
  const batch = batchOf(alg);
  const id = (what: string) => `jwt.${alg}.${what}`;
  return [
    {
      id: id("fast-jwt.sign"),
      name: `${alg} sign, fast-jwt`,
      ...batch,
      async: false,
      call: () => ensure(fastSign(claims).length > 0, "no token"),
    },
    {
      id: id("fast-jwt.verify"),
      name: `${alg} verify, fast-jwt`,
      ...batch,
      async: false,
      call: () => ensure(fastVerify(token).jti === claims.jti, "another token verified"),
    },
    {
      id: id("jose.sign"),
      name: `${alg} sign, jose`,
      async: true,
      call: async () => {
        const signed = await new SignJWT({ ...claims })
          .setProtectedHeader({ alg })
          .sign(keys.signing);
        ensure(signed.length > 0, "no token");
      },
    },
    {
      id: id("jose.verify"),
      name: `${alg} verify, jose`,
      async: true,
      call: async () => {
        const { payload } = await jwtVerify(token, keys.verifying, { algorithms: [alg] });
        ensure(payload.jti === claims.jti, "another token verified");
      },
    },
    {
      id: id("check"),
      // What server/auth/hooks.ts's jwtAuthentication runs before it sets the principal.
      name: `${alg} whole check, as the hook runs it (plain jwt)`,
      ...batch,
      async: false,
      call: () =>
        ensure(noRevocation.check(codec.verify(bearerToken(header))) !== null, "no principal"),
    },
  ];
}

/** Signing and verifying per algorithm with both libraries the server could use. */
export function jwtSuite(): SuiteSpec {
  return {
    name: "jwt",
    title: "JWT sign and verify per algorithm: fast-jwt and jose (server/auth/jwt.ts)",
    notes: [FAST_JWT_PUBLISHED],
    tasks: JWT_ALGS.flatMap(algorithmTasks),
  };
}

import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { readFile } from "node:fs/promises";
import { configInvalid } from "../../lib/errors.js";

export const JWT_ALGS = ["HS256", "ES256", "EdDSA"] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

/** What signs and what verifies; for HS256 both are the one secret. */
export interface JwtKeys {
  alg: JwtAlg;
  signing: KeyObject;
  verifying: KeyObject;
  /** Where the key came from, for the ready line and reports: never the key itself. */
  origin: "generated" | "file" | "primary";
}

/**
 * How a cluster primary hands its generated key to its workers: an environment variable of the
 * forked process only, so that every instance verifies every other's tokens.
 */
export const KEY_HANDOVER_ENV = "ACB_JWT_KEY_HANDOVER";

/** An HMAC secret shorter than the hash's output weakens HS256 (RFC 7518 section 3.2). */
const HS256_MIN_BYTES = 32;

const WANTED: Readonly<Record<JwtAlg, string>> = {
  HS256: "a secret of at least 32 bytes (a JWK of kty oct)",
  ES256: "an EC P-256 private key (PEM or JWK)",
  EdDSA: "an Ed25519 private key (PEM or JWK)",
};

function describe(key: KeyObject): string {
  if (key.type === "secret") return `a ${key.symmetricKeySize ?? 0}-byte secret`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `a ${key.type} ${key.asymmetricKeyType}${curve ? ` ${curve}` : ""} key`;
}

function fits(alg: JwtAlg, key: KeyObject): boolean {
  switch (alg) {
    case "HS256":
      return key.type === "secret" && (key.symmetricKeySize ?? 0) >= HS256_MIN_BYTES;
    case "ES256":
      return (
        key.type === "private" &&
        key.asymmetricKeyType === "ec" &&
        key.asymmetricKeyDetails?.namedCurve === "prime256v1"
      );
    case "EdDSA":
      return key.type === "private" && key.asymmetricKeyType === "ed25519";
  }
}

function generate(alg: JwtAlg): KeyObject {
  switch (alg) {
    case "HS256":
      return createSecretKey(randomBytes(HS256_MIN_BYTES));
    case "ES256":
      return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    case "EdDSA":
      return generateKeyPairSync("ed25519").privateKey;
  }
}

/** PEM, or a JWK: the two forms identity providers hand out. */
function parseKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) return createPrivateKey(trimmed);
  const jwk = JSON.parse(trimmed) as JsonWebKey;
  if (jwk.kty === "oct") {
    if (typeof jwk.k !== "string") throw new Error("a JWK of kty oct needs k");
    return createSecretKey(Buffer.from(jwk.k, "base64url"));
  }
  return createPrivateKey({ key: jwk, format: "jwk" });
}

const keysOf = (alg: JwtAlg, signing: KeyObject, origin: JwtKeys["origin"]): JwtKeys => ({
  alg,
  signing,
  verifying: signing.type === "secret" ? signing : createPublicKey(signing),
  origin,
});

async function fromFile(alg: JwtAlg, file: string): Promise<JwtKeys> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder" : "unreadable";
    throw configInvalid(`--jwt-key ${file}: ${why}`);
  }
  let key: KeyObject;
  try {
    key = parseKey(text);
  } catch {
    // The parser's message may quote the file; a key's bytes must never reach a log.
    throw configInvalid(`--jwt-key ${file}: not a PEM private key or a JWK`);
  }
  if (!fits(alg, key)) {
    throw configInvalid(`--jwt-key ${file}: ${alg} needs ${WANTED[alg]}, not ${describe(key)}`);
  }
  return keysOf(alg, key, "file");
}

/** The keys as fast-jwt takes them: PEM text, or the secret's bytes. */
export const libraryKeys = (
  keys: JwtKeys,
): { signing: string | Buffer; verifying: string | Buffer } =>
  keys.alg === "HS256"
    ? { signing: keys.signing.export(), verifying: keys.verifying.export() }
    : {
        signing: keys.signing.export({ type: "pkcs8", format: "pem" }) as string,
        verifying: keys.verifying.export({ type: "spki", format: "pem" }) as string,
      };

/** A key made now, for this process (or, handed over, for a cluster's workers). */
export const generatedKeys = (alg: JwtAlg): JwtKeys => keysOf(alg, generate(alg), "generated");

/**
 * The signing key as a JWK: what a cluster primary hands its workers, and what a benchmark writes
 * to the --jwt-key file all its servers share.
 */
export function signingJwk(keys: JwtKeys): string {
  return JSON.stringify(keys.signing.export({ format: "jwk" }));
}

/**
 * The keys for `alg`: from --jwt-key FILE, else from the cluster primary, else generated now (so
 * that every start invalidates the previous start's tokens, as a restart of an opaque-token server
 * with an in-memory store would).
 */
export async function loadJwtKeys(
  alg: JwtAlg,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<JwtKeys> {
  if (file !== "") return fromFile(alg, file);
  const handed = env[KEY_HANDOVER_ENV];
  if (handed) return keysOf(alg, parseKey(handed), "primary");
  return generatedKeys(alg);
}

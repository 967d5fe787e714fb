import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** scrypt parameters as the PHC string format names them: N = 2^ln. */
export interface ScryptCost {
  ln: number;
  r: number;
  p: number;
}

const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Bounds for parameters read from files: a hostile credentials file must not be able to ask
// for gigabytes of memory or minutes of CPU per login.
const LIMITS = { ln: [1, 20], r: [1, 32], p: [1, 16] } as const;
const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export function parseCost(text: string): ScryptCost | undefined {
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(text.trim());
  return match ? validCost(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
}

export const formatCost = (cost: ScryptCost): string => `ln=${cost.ln},r=${cost.r},p=${cost.p}`;

function validCost(ln: number, r: number, p: number): ScryptCost | undefined {
  const within = (value: number, [min, max]: readonly [number, number]) =>
    Number.isInteger(value) && value >= min && value <= max;
  return within(ln, LIMITS.ln) && within(r, LIMITS.r) && within(p, LIMITS.p)
    ? { ln, r, p }
    : undefined;
}

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

export function parsePhc(phc: string): ParsedHash | undefined {
  const match = PHC.exec(phc);
  if (!match) return undefined;
  const cost = validCost(Number(match[1]), Number(match[2]), Number(match[3]));
  const salt = Buffer.from(match[4] ?? "", "base64");
  const key = Buffer.from(match[5] ?? "", "base64");
  if (!cost || salt.length < 8 || key.length < 16) return undefined;
  return { cost, salt, key };
}

/** The cost a stored hash was made with; reports state it. */
export const costOf = (phc: string): ScryptCost | undefined => parsePhc(phc)?.cost;

function derive(password: string, salt: Buffer, keyLength: number, cost: ScryptCost) {
  const N = 2 ** cost.ln;
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(
      password.normalize("NFC"),
      salt,
      keyLength,
      // maxmem must exceed 128·N·r or OpenSSL refuses; the slack covers its own bookkeeping.
      { N, r: cost.r, p: cost.p, maxmem: 128 * N * cost.r + 2 ** 20 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

const b64 = (buffer: Buffer) => buffer.toString("base64").replace(/=+$/, "");

export async function hashPassword(password: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, cost);
  return `$scrypt$${formatCost(cost)}$${b64(salt)}$${b64(key)}`;
}

/** Timing-safe; a malformed stored hash never verifies. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parsePhc(phc);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { costOf, hashPassword, parsePhc, verifyPassword } from "../server/auth/password.js";
import { bearerToken, couldBeOurToken, hashToken, newToken } from "../server/auth/token.js";
import { loadCredentials, parseCredentials } from "../server/credentials.js";
import { TEST_COST } from "./helpers/app.js";

describe("passwords", () => {
  it("hashes to a PHC string that verifies only the same password", async () => {
    const hash = await hashPassword("correct horse", TEST_COST);
    expect(hash).toMatch(/^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsE", hash)).toBe(false);
    expect(costOf(hash)).toEqual(TEST_COST);
  });

  it("never verifies against a malformed or over-costly hash", async () => {
    expect(await verifyPassword("x", "plaintext")).toBe(false);
    expect(
      parsePhc("$scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5"),
    ).toBeUndefined();
  });

  it("keeps the demo users of credentials.json, hashed at an OWASP cost, with the original passwords", async () => {
    const users = parseCredentials("credentials.json", await readFile("credentials.json", "utf8"));
    expect(users.map((u) => [u.username, u.role])).toEqual([
      ["john", "admin"],
      ["jane", "user"],
      ["alice", "user"],
    ]);
    const passwords: Record<string, string> = {
      john: "password123",
      jane: "password456",
      alice: "securePass",
    };
    for (const user of users) {
      expect(user.passwordHash).not.toContain(passwords[user.username]);
      expect(costOf(user.passwordHash)).toEqual({ ln: 15, r: 8, p: 3 });
      expect(await verifyPassword(passwords[user.username] as string, user.passwordHash)).toBe(
        true,
      );
    }
  });
});

describe("credentials files", () => {
  it.each([
    ["not JSON", "{", "not valid JSON"],
    ["an array", "[]", "must be a JSON object keyed by username"],
    [
      "plaintext",
      '{"bob":{"role":"user","password":"hunter22"}}',
      "plaintext passwords are refused",
    ],
    [
      "a bad role",
      '{"bob":{"role":"root","password_hash":"x"}}',
      "role must be one of admin, user",
    ],
    [
      "a bad hash",
      '{"bob":{"role":"user","password_hash":"md5$abc"}}',
      "password_hash must be a scrypt PHC string",
    ],
    ["a bad name", '{"bo b":{"role":"user","password_hash":"x"}}', "a username is"],
  ])("refuses %s, naming the file and the reason", (_name, text, reason) => {
    expect(() => parseCredentials("users.json", text)).toThrow(
      expect.objectContaining({
        code: "ACB_CREDENTIALS_INVALID",
        message: expect.stringMatching(
          new RegExp(`^users\\.json: .*${reason.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
        ),
      }),
    );
  });

  it("names a missing file", async () => {
    await expect(loadCredentials(["nowhere.json"])).rejects.toMatchObject({
      code: "ACB_CREDENTIALS_INVALID",
      message: expect.stringContaining("nowhere.json: cannot be read"),
    });
  });
});

describe("tokens", () => {
  it("are 256 random bits in base64url, stored only as their SHA-256", () => {
    const token = newToken();
    expect(couldBeOurToken(token)).toBe(true);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(newToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("are read from the Authorization header per RFC 6750", () => {
    expect(bearerToken("Bearer abc.def~ghi+/=")).toBe("abc.def~ghi+/=");
    expect(bearerToken("bEaReR xyz")).toBe("xyz");
    expect(() => bearerToken(undefined)).toThrow(
      expect.objectContaining({ code: "ACB_TOKEN_MISSING" }),
    );
    expect(() => bearerToken("Basic abc")).toThrow(
      expect.objectContaining({ code: "ACB_TOKEN_MISSING" }),
    );
    expect(() => bearerToken("Bearer a=b")).toThrow(
      expect.objectContaining({ code: "ACB_TOKEN_MALFORMED" }),
    );
    expect(() => bearerToken("Bearer")).toThrow(
      expect.objectContaining({ code: "ACB_TOKEN_MALFORMED" }),
    );
  });
});

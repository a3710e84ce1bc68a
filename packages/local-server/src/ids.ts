import { createHash, randomBytes, randomInt } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters from [A-Za-z0-9], from the platform CSPRNG. */
export function randomAlphanumeric(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

/** A random identifier such as `chl_3fK...` (prefix plus 24 alphanumerics). */
export function randomId(prefix: string): string {
  return `${prefix}${randomAlphanumeric(24)}`;
}

/** An opaque secret such as `lat_...`: the prefix plus 32 random bytes in base64url. */
export function randomSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

/** SHA-256 of a secret, hex: the only form in which the server keeps tokens. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

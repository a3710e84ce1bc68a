import { describe, expect, it } from "vitest";
import { fnv1a64, sha256Hex, sha256HexSync } from "./hash.js";

describe("hashes", () => {
  it("sha256Hex matches the published test vectors", async () => {
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(await sha256Hex("abc"));
  });

  it("sha256HexSync matches the published test vectors and Web Crypto across block boundaries", async () => {
    expect(sha256HexSync("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256HexSync("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256HexSync("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
      const text = "é€x".repeat(length).slice(0, length);
      expect(sha256HexSync(text)).toBe(await sha256Hex(text));
    }
  });

  it("fnv1a64 matches the reference vectors and hashes UTF-8 bytes", () => {
    expect(fnv1a64("")).toBe("cbf29ce484222325");
    expect(fnv1a64("a")).toBe("af63dc4c8601ec8c");
    expect(fnv1a64("foobar")).toBe("85944171f73967e8");
    expect(fnv1a64("é")).not.toBe(fnv1a64("e"));
  });
});

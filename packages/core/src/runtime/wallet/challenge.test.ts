import type { AgentChallenge } from "@lucid-dreams/sdk";
import { describe, expect, it } from "vitest";
import { isChallengeFailed } from "../errors.js";
import {
  bytesToHex,
  challengeToSignable,
  detectMessageEncoding,
  extractSignature,
  extractWalletMetadata,
  hexToBytes,
  stableJsonStringify,
  supportsEvmCaip2,
  toTypedDataDefinition,
  typedDataToWire,
  withEip712DomainType,
} from "./challenge.js";

const HASH = `0x${"ab".repeat(32)}`;

const challenge = (
  payload: unknown,
  extra: Partial<Record<keyof AgentChallenge, unknown>> = {},
): AgentChallenge =>
  ({
    id: "ch_1",
    credential_id: "cred_1",
    payload,
    payload_hash: HASH,
    nonce: "nonce12345",
    scopes: ["wallet.sign"],
    issued_at: "2025-01-01T00:00:00.000Z",
    expires_at: "2025-01-01T00:05:00.000Z",
    server_signature: null,
    ...extra,
  }) as AgentChallenge;

const SIWE = [
  "lucid.daydream.systems wants you to sign in with your Ethereum account:",
  "0x1111111111111111111111111111111111111111",
  "",
  "Authenticate agent agent-1",
  "",
  "URI: https://lucid.daydream.systems",
  "Version: 1",
  "Chain ID: 8453",
  "Nonce: nonce12345",
  "Issued At: 2025-01-01T00:00:00.000Z",
].join("\n");

const typedWire = {
  domain: {
    name: "Lucid",
    version: "1",
    chainId: "8453",
    verifyingContract: "0x0000000000000000000000000000000000000001",
  },
  types: {
    Login: [
      { name: "agent", type: "string" },
      { name: "nonce", type: "uint256" },
    ],
  },
  primary_type: "Login",
  message: { agent: "agent-1", nonce: "42" },
};

const expectChallengeFailed = (run: () => unknown, pattern: RegExp) => {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isChallengeFailed(thrown)).toBe(true);
  expect((thrown as Error).message).toMatch(pattern);
};

describe("challengeToSignable: every payload shape", () => {
  it.each([
    ["a string payload, signed as is", SIWE, { kind: "message", message: SIWE }],
    ["a 0x-hex string payload, signed as raw bytes", "0xdeadbeef", { kind: "raw", hex: "0xdeadbeef" }],
    [
      "{ type: message, message } (the contract's shape)",
      { type: "message", message: SIWE },
      { kind: "message", message: SIWE },
    ],
    [
      "{ type: message, message: 0x-hex } as raw bytes",
      { type: "message", message: "0x00ff" },
      { kind: "raw", hex: "0x00ff" },
    ],
    ["an object's payload string", { payload: "sign me" }, { kind: "message", message: "sign me" }],
    [
      "an object's parts (strings and { text }) joined",
      { parts: ["a", { text: "b" }, 7, "c"] },
      { kind: "message", message: "abc" },
    ],
    ["odd-length hex stays text", { message: "0xabc" }, { kind: "message", message: "0xabc" }],
    ["a bare 0x stays text", { message: "0x" }, { kind: "message", message: "0x" }],
  ])("%s", (_name, payload, expected) => {
    expect(challengeToSignable(challenge(payload))).toEqual(expected);
  });

  it("signs the payload_hash bytes when there is no payload", () => {
    expect(challengeToSignable(challenge(undefined))).toEqual({ kind: "raw", hex: HASH });
    expect(challengeToSignable(challenge(null))).toEqual({ kind: "raw", hex: HASH });
  });

  it("converts wire typed data (primary_type) to viem's shape, normalising a string chainId", () => {
    const signable = challengeToSignable(challenge({ type: "typed_data", typed_data: typedWire }));
    expect(signable).toEqual({
      kind: "typed_data",
      typedData: {
        domain: { ...typedWire.domain, chainId: 8453 },
        types: typedWire.types,
        primaryType: "Login",
        message: typedWire.message,
      },
    });
  });

  it("accepts typedData (camelCase), a bare typed-data payload and hex chain ids", () => {
    const camel = {
      domain: { chainId: "0x2105" },
      types: typedWire.types,
      primaryType: "Login",
      message: {},
    };
    const viaTypedData = challengeToSignable(challenge({ typedData: camel }));
    const bare = challengeToSignable(challenge(camel));
    expect(viaTypedData).toEqual(bare);
    expect(viaTypedData.kind === "typed_data" && viaTypedData.typedData.domain?.chainId).toBe(8453);
  });

  it("keeps an explicit EIP712Domain type and a huge chain id as bigint", () => {
    const withDomain = {
      ...typedWire,
      domain: { chainId: "99999999999999999999" },
      types: { ...typedWire.types, EIP712Domain: [{ name: "chainId", type: "uint256" }] },
    };
    const signable = challengeToSignable(challenge({ typed_data: withDomain }));
    expect(signable.kind === "typed_data" && signable.typedData.types.EIP712Domain).toEqual([
      { name: "chainId", type: "uint256" },
    ]);
    expect(signable.kind === "typed_data" && signable.typedData.domain?.chainId).toBe(99999999999999999999n);
  });

  it.each([
    ["an object without a known field", { foo: "bar" }, /cannot be signed: it is an object with keys foo/],
    ["a number", 42, /cannot be signed: it is number/],
    ["an empty message", { message: "" }, /message is empty/],
    ["type typed_data without typed_data", { type: "typed_data" }, /`typed_data` is missing/],
    ["typed data that is not an object", { typed_data: "x" }, /it is not an object/],
    [
      "typed data without types",
      { typed_data: { ...typedWire, types: undefined } },
      /`types` is not an object/,
    ],
    [
      "a type field that is not {name,type}",
      { typed_data: { ...typedWire, types: { Login: [{ name: 1 }] } } },
      /types.Login\[0\]/,
    ],
    [
      "a primary type not in types",
      { typed_data: { ...typedWire, primary_type: "Other" } },
      /"Other" is not defined/,
    ],
    [
      "no primary type",
      { typed_data: { ...typedWire, primary_type: undefined } },
      /`primary_type` is missing/,
    ],
    [
      "a message that is not an object",
      { typed_data: { ...typedWire, message: "hi" } },
      /`message` is not an object/,
    ],
    [
      "a domain that is not an object",
      { typed_data: { ...typedWire, domain: "d" } },
      /`domain` is not an object/,
    ],
  ])("rejects %s with ChallengeFailedError", (_name, payload, pattern) => {
    expectChallengeFailed(() => challengeToSignable(challenge(payload)), pattern);
  });

  it("rejects a payload-less challenge without a hex payload_hash", () => {
    expectChallengeFailed(
      () => challengeToSignable(challenge(undefined, { payload_hash: "not-hex" })),
      /neither a payload nor a hex payload_hash/,
    );
  });
});

describe("helpers", () => {
  it("detectMessageEncoding: whole-byte 0x-hex is hex, everything else utf-8", () => {
    expect(detectMessageEncoding("0xdeadbeef")).toBe("hex");
    expect(detectMessageEncoding("0xDEADBEEF")).toBe("hex");
    expect(detectMessageEncoding("0xabc")).toBe("utf-8");
    expect(detectMessageEncoding("0x")).toBe("utf-8");
    expect(detectMessageEncoding(" 0xdead")).toBe("utf-8");
    expect(detectMessageEncoding("hello")).toBe("utf-8");
  });

  it("hexToBytes and bytesToHex round-trip", () => {
    expect(Array.from(hexToBytes("0x00ff10"))).toEqual([0, 255, 16]);
    expect(bytesToHex(new Uint8Array([0, 255, 16]))).toBe("0x00ff10");
    expect(() => hexToBytes("0xabc")).toThrow(TypeError);
  });

  it("stableJsonStringify sorts keys, writes bigints as decimals and drops undefined", () => {
    expect(stableJsonStringify({ b: 1, a: { d: [3, undefined, 2n], c: undefined }, e: 10n ** 30n })).toBe(
      '{"a":{"d":[3,null,"2"]},"b":1,"e":"1000000000000000000000000000000"}',
    );
    expect(stableJsonStringify({ when: new Date(0) })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    expect(stableJsonStringify(undefined)).toBe("null");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableJsonStringify(cyclic)).toThrow(/cycle/);
  });

  it("extractSignature reads every known response shape", () => {
    const sig = `0x${"11".repeat(65)}`;
    expect(extractSignature(sig)).toBe(sig);
    expect(extractSignature({ signed: sig })).toBe(sig);
    expect(extractSignature({ signed: { signature: sig } })).toBe(sig);
    expect(extractSignature({ signature: sig })).toBe(sig);
    expect(extractSignature({ data: { signature: sig } })).toBe(sig);
    expect(extractSignature({ nothing: true })).toBeNull();
    expect(extractSignature(null)).toBeNull();
    expect(extractSignature(5)).toBeNull();
  });

  it("extractWalletMetadata reads a Lucid wallet response", () => {
    expect(
      extractWalletMetadata({
        account: { id: "acc_1", displayName: "Ops" },
        wallet: {
          id: "w_1",
          address: "0xabc",
          chain: "base",
          chainType: "ethereum",
          provider: "privy",
          caip2: "eip155:8453",
        },
      }),
    ).toEqual({
      id: "w_1",
      address: "0xabc",
      chain: "base",
      chainType: "ethereum",
      provider: "privy",
      caip2: "eip155:8453",
      accountId: "acc_1",
      label: "Ops",
    });
    expect(extractWalletMetadata({ wallet: { label: "L" } })).toMatchObject({ label: "L", address: null });
    expect(extractWalletMetadata({})).toBeNull();
  });

  it("withEip712DomainType derives the domain type like viem, unless one is given", () => {
    const definition = toTypedDataDefinition(typedWire);
    expect(withEip712DomainType(definition).types.EIP712Domain).toEqual([
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
    ]);
    const explicit = { ...definition, types: { ...definition.types, EIP712Domain: [] } };
    expect(withEip712DomainType(explicit)).toBe(explicit);
  });

  it("typedDataToWire converts back to primary_type and makes bigints JSON-safe", () => {
    const wire = typedDataToWire({
      domain: { chainId: 2n ** 60n },
      types: typedWire.types,
      primaryType: "Login",
      message: { nonce: 7n },
    });
    expect(wire).toEqual({
      domain: { chainId: "1152921504606846976" },
      types: typedWire.types,
      primary_type: "Login",
      message: { nonce: "7" },
    });
  });
});

describe("supportsEvmCaip2", () => {
  it("takes any eip155 chain, or only the configured one (case-insensitive)", () => {
    expect(supportsEvmCaip2("eip155:8453", null)).toBe(true);
    expect(supportsEvmCaip2("eip155:8453", "EIP155:8453")).toBe(true);
    expect(supportsEvmCaip2("eip155:1", "eip155:8453")).toBe(false);
  });

  it("refuses other namespaces and values that are not strings", () => {
    expect(supportsEvmCaip2("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", null)).toBe(false);
    expect(supportsEvmCaip2("eip155:", null)).toBe(false);
    expect(supportsEvmCaip2({ toString: () => "eip155:1" }, null)).toBe(false);
    expect(supportsEvmCaip2(undefined, undefined)).toBe(false);
  });
});

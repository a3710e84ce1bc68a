import type { AgentChallenge } from "@lucid-dreams/sdk";
import { parseTransaction, recoverTransactionAddress, verifyMessage, verifyTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { isChallengeFailed, isConfigurationError } from "../errors.js";
import type { Hex, TypedDataPayload } from "./base-connector.js";
import { toTypedDataDefinition } from "./challenge.js";
import {
  createLocalEoaWalletConnector,
  type LocalEoaSigner,
  LocalEoaWalletConnector,
  toTransactionSerializable,
} from "./local-key-connector.js";
import { isNotSupported } from "./wallet-errors.js";

const HASH = `0x${"cd".repeat(32)}` as Hex;

const challenge = (payload: unknown): AgentChallenge =>
  ({
    id: "ch_1",
    credential_id: "cred_1",
    payload,
    payload_hash: HASH,
    nonce: "nonce12345",
    scopes: [],
    issued_at: "2025-01-01T00:00:00.000Z",
    expires_at: "2025-01-01T00:05:00.000Z",
    server_signature: null,
  }) as AgentChallenge;

const SIWE = "lucid wants you to sign in with your Ethereum account:\n0x0\n\nNonce: nonce12345";

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

const verifyTyped = (address: Hex, wire: typeof typedWire | Record<string, unknown>, signature: string) => {
  const definition = toTypedDataDefinition(wire);
  return verifyTypedData({ ...definition, address, signature: signature as Hex } as never);
};

/** A `LocalEoaSigner` (the original package's interface) backed by a viem account. */
const eoaSignerFor = (privateKey: Hex, withTypedData = true): LocalEoaSigner => {
  const account = privateKeyToAccount(privateKey);
  const signer: LocalEoaSigner = {
    signMessage: (message) =>
      typeof message === "string"
        ? account.signMessage({ message })
        : account.signMessage({ message: { raw: message } }),
    getAddress: async () => account.address,
  };
  if (withTypedData) {
    signer.signTypedData = (payload: TypedDataPayload) => {
      expect(payload).toHaveProperty("primary_type");
      const { primary_type, ...rest } = payload;
      return account.signTypedData({ ...rest, primaryType: primary_type } as never);
    };
  }
  return signer;
};

describe("LocalEoaWalletConnector with a viem LocalAccount", () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const connector = new LocalEoaWalletConnector({ signer: account, caip2: "eip155:8453" });

  it("signs a SIWE text challenge (EIP-191 over the text)", async () => {
    const signature = await connector.signChallenge(challenge({ type: "message", message: SIWE }));
    expect(
      await verifyMessage({ address: account.address, message: SIWE, signature: signature as Hex }),
    ).toBe(true);
  });

  it("signs a 0x-hex challenge as raw bytes", async () => {
    const signature = await connector.signChallenge(challenge({ type: "message", message: "0xdeadbeef" }));
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: "0xdeadbeef" },
        signature: signature as Hex,
      }),
    ).toBe(true);
    expect(
      await verifyMessage({ address: account.address, message: "0xdeadbeef", signature: signature as Hex }),
    ).toBe(false);
  });

  it("signs the payload_hash bytes of a payload-less challenge", async () => {
    const signature = await connector.signChallenge(challenge(undefined));
    expect(
      await verifyMessage({ address: account.address, message: { raw: HASH }, signature: signature as Hex }),
    ).toBe(true);
  });

  it("signs an EIP-712 challenge (wire primary_type, string chainId and integers)", async () => {
    const signature = await connector.signChallenge(challenge({ type: "typed_data", typed_data: typedWire }));
    expect(await verifyTyped(account.address, typedWire, signature)).toBe(true);
  });

  it("signs an EIP-712 challenge that spells out EIP712Domain", async () => {
    const withDomain = {
      ...typedWire,
      types: {
        ...typedWire.types,
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
      },
    };
    const signature = await connector.signChallenge(challenge({ typed_data: withDomain }));
    expect(await verifyTyped(account.address, typedWire, signature)).toBe(true);
  });

  it("exposes signMessage and signTypedData for the runtime", async () => {
    const text = await connector.signMessage("gm");
    expect(await verifyMessage({ address: account.address, message: "gm", signature: text as Hex })).toBe(
      true,
    );
    const raw = await connector.signMessage({ raw: new Uint8Array([1, 2, 3]) });
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: new Uint8Array([1, 2, 3]) },
        signature: raw as Hex,
      }),
    ).toBe(true);
    const typed = await connector.signTypedData(toTypedDataDefinition(typedWire));
    expect(await verifyTyped(account.address, typedWire, typed)).toBe(true);
  });

  it("signs a transaction given in wire spelling, taking the chain id from caip2", async () => {
    const signed = await connector.signTransaction({
      to: "0x0000000000000000000000000000000000000002",
      value: "0x2386f26fc10000",
      data: "0x",
      nonce: "7",
      gas_limit: 21000,
      max_fee_per_gas: "30000000000",
      max_priority_fee_per_gas: "1000000000",
      type: 2,
    });
    expect(await recoverTransactionAddress({ serializedTransaction: signed as never })).toBe(account.address);
    const parsed = parseTransaction(signed as Hex);
    expect(parsed).toMatchObject({
      chainId: 8453,
      nonce: 7,
      gas: 21000n,
      value: 10000000000000000n,
      maxFeePerGas: 30000000000n,
      type: "eip1559",
    });
  });

  it("signs a viem-style legacy transaction with an explicit chain id", async () => {
    const signed = await connector.signTransaction({
      to: "0x0000000000000000000000000000000000000002",
      value: 1n,
      gasPrice: 1000000000n,
      gas: 21000n,
      nonce: 0,
      chainId: 1,
      type: "legacy",
    });
    expect(await recoverTransactionAddress({ serializedTransaction: signed as never })).toBe(account.address);
    expect(parseTransaction(signed as Hex).chainId).toBe(1);
  });

  it("refuses a transaction without any chain id", async () => {
    const bare = new LocalEoaWalletConnector({ signer: account });
    await expect(bare.signTransaction({ to: account.address, value: 1 })).rejects.toSatisfy(
      isConfigurationError,
    );
  });

  it("reports metadata and EVM chain support", async () => {
    expect(await connector.getAddress()).toBe(account.address);
    expect(await connector.getWalletMetadata()).toEqual({
      address: account.address,
      caip2: "eip155:8453",
      chain: null,
      chainType: "ethereum",
      provider: "local",
      label: null,
    });
    expect(connector.supportsCaip2("eip155:8453")).toBe(true);
    expect(connector.supportsCaip2("eip155:1")).toBe(false);
    expect(connector.supportsCaip2("solana:mainnet")).toBe(false);
    const anyChain = new LocalEoaWalletConnector({ signer: account });
    expect(anyChain.supportsCaip2("eip155:1")).toBe(true);
    expect(anyChain.supportsCaip2("eip155:0")).toBe(false);
  });
});

describe("LocalEoaWalletConnector with the original LocalEoaSigner", () => {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;

  it("signs text, raw and typed-data challenges, passing bytes and wire typed data to the signer", async () => {
    const connector = new LocalEoaWalletConnector({ signer: eoaSignerFor(privateKey) });
    const text = await connector.signChallenge(challenge(SIWE));
    expect(await verifyMessage({ address, message: SIWE, signature: text as Hex })).toBe(true);
    const raw = await connector.signChallenge(challenge({ message: "0x0102" }));
    expect(await verifyMessage({ address, message: { raw: "0x0102" }, signature: raw as Hex })).toBe(true);
    const typed = await connector.signChallenge(challenge({ typed_data: typedWire }));
    expect(await verifyTyped(address, typedWire, typed)).toBe(true);
    expect(await connector.getAddress()).toBe(address);
  });

  it("fails a typed-data challenge clearly when the signer has no signTypedData", async () => {
    const connector = new LocalEoaWalletConnector({ signer: eoaSignerFor(privateKey, false) });
    await expect(connector.signChallenge(challenge({ typed_data: typedWire }))).rejects.toSatisfy(
      isChallengeFailed,
    );
    await expect(connector.signTypedData(toTypedDataDefinition(typedWire))).rejects.toSatisfy(isNotSupported);
    await expect(connector.signTransaction({ chainId: 1 })).rejects.toSatisfy(isNotSupported);
  });

  it("uses the configured address and metadata", async () => {
    const connector = new LocalEoaWalletConnector({
      signer: { signMessage: async () => "0x" },
      address: "0xabc",
      provider: "ledger",
      chainType: "evm",
      label: "cold",
      chain: "base",
    });
    expect(await connector.getWalletMetadata()).toMatchObject({
      address: "0xabc",
      provider: "ledger",
      chainType: "evm",
      label: "cold",
      chain: "base",
    });
  });

  it("rejects a missing or unusable signer", () => {
    expect(() => new LocalEoaWalletConnector({} as never)).toThrow(/needs a signer/);
    expect(() => new LocalEoaWalletConnector({ signer: {} as never })).toThrow(/no signMessage/);
  });
});

describe("createLocalEoaWalletConnector", () => {
  it("builds a connector from a private key with viem, loaded lazily", async () => {
    const privateKey = generatePrivateKey();
    const connector = await createLocalEoaWalletConnector({ privateKey, caip2: "eip155:1" });
    expect(await connector.getAddress()).toBe(privateKeyToAccount(privateKey).address);
    const withoutPrefix = await createLocalEoaWalletConnector({ privateKey: privateKey.slice(2) });
    expect(await withoutPrefix.getAddress()).toBe(privateKeyToAccount(privateKey).address);
  });

  it("rejects a malformed key without echoing it", async () => {
    const bad = `0x${"zz".repeat(32)}`;
    const error = await createLocalEoaWalletConnector({ privateKey: bad }).catch((caught: unknown) => caught);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).not.toContain(bad);
  });
});

describe("toTransactionSerializable", () => {
  it("maps wire spellings to viem's and rejects bad values", () => {
    expect(
      toTransactionSerializable({
        to: "0x1",
        from: "0x2",
        input: "0xab",
        gas_price: "0x10",
        chain_id: "8453",
        nonce: 1,
        type: "0x0",
      }),
    ).toEqual({ to: "0x1", data: "0xab", gasPrice: 16n, chainId: 8453, nonce: 1, type: "legacy" });
    expect(() => toTransactionSerializable({ value: "1.5" })).toThrow(/"value" is not a valid integer/);
    expect(() => toTransactionSerializable({ nonce: -1 })).toThrow(/"nonce"/);
    expect(() => toTransactionSerializable({ type: 4 })).toThrow(/type 4 is not supported/);
  });
});

import {
  postV1AgentsByAgentRefWalletSendTransaction,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AgentsByAgentRefWalletSignTransaction,
  postV1AgentsByAgentRefWalletSignTypedData,
  type TransactionRequest,
} from "@lucid-dreams/sdk";
import { zAgentWalletSignedTransactionResponse } from "@lucid-dreams/sdk/zod";
import {
  createPublicClient,
  type Hex,
  http,
  parseEther,
  parseGwei,
  parseTransaction,
  recoverTransactionAddress,
  verifyMessage,
  verifyTypedData,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, expectError, loginWithEoa } from "../../test/helpers.js";
import { type LocalServer, startLocalServer } from "../index.js";

const RECIPIENT = "0x000000000000000000000000000000000000cafE" as const;
let server: LocalServer;
let auth: string;

beforeAll(async () => {
  server = await startLocalServer({ agents: [{ ref: "demo-agent" }, { ref: "second-agent" }] });
  auth = (await loginWithEoa(clientFor(server), server)).access_token;
});
afterAll(async () => {
  await server?.close();
});

const chain = () => createPublicClient({ transport: http(server.seed.rpcUrl) });
const signMessage = (
  body: Parameters<typeof postV1AgentsByAgentRefWalletSignMessage>[0]["body"],
  agentRef?: string,
) =>
  postV1AgentsByAgentRefWalletSignMessage({
    client: clientFor(server),
    auth,
    path: { agentRef: agentRef ?? server.seed.agentRef },
    body,
  });
const signTx = (body: TransactionRequest) =>
  postV1AgentsByAgentRefWalletSignTransaction({
    client: clientFor(server),
    auth,
    path: { agentRef: server.seed.agentRef },
    body,
  });
const sendTx = (body: TransactionRequest, token = auth, agentRef = server.seed.agentRef) =>
  postV1AgentsByAgentRefWalletSendTransaction({
    client: clientFor(server),
    auth: token,
    path: { agentRef },
    body,
  });
const tx = (
  transaction: TransactionRequest["params"]["transaction"],
  extra: Partial<TransactionRequest> = {},
) => ({
  caip2: server.seed.caip2,
  params: { transaction },
  ...extra,
});
const pendingNonce = () =>
  chain().getTransactionCount({ address: server.seed.serverWalletAddress, blockTag: "pending" });

describe("sign-message", () => {
  it("signs hex-encoded bytes as raw bytes", async () => {
    const result = await signMessage({ message: "0x68656c6c6f", encoding: "hex" });
    expect(result.response.status).toBe(200);
    const signature = result.data!.signed.signature as Hex;
    const address = server.seed.serverWalletAddress;
    expect(await verifyMessage({ address, message: { raw: "0x68656c6c6f" }, signature })).toBe(true);
    expect(await verifyMessage({ address, message: "hello", signature })).toBe(true);
    expect(await verifyMessage({ address, message: "0x68656c6c6f", signature })).toBe(false);
  });

  it("refuses hex encoding of text that is not hex (400 naming message)", async () => {
    const body = expectError(
      await signMessage({ message: "hello", encoding: "hex" }),
      400,
      "invalid_request",
    );
    expect(body.details?.[0]?.path).toBe("message");
    expectError(await signMessage({ message: "0xabc", encoding: "hex" }), 400, "invalid_request");
  });

  it("refuses a body that breaks the contract with details", async () => {
    const body = expectError(
      await signMessage({ message: "", encoding: "latin-1" } as never),
      400,
      "invalid_request",
    );
    expect(body.details?.map((d) => d.path).sort()).toEqual(["encoding", "message"]);
  });
});

describe("sign-typed-data", () => {
  const permit = {
    domain: { name: "Token", version: "1", chainId: "0x7a69", verifyingContract: RECIPIENT },
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primary_type: "Permit",
    message: {
      owner: "0x000000000000000000000000000000000000dEaD",
      spender: RECIPIENT,
      value: "0xde0b6b3a7640000",
      nonce: 0,
      deadline: "1999999999",
    },
  };

  it("accepts EIP712Domain in types and integers as numbers, decimal or hex strings", async () => {
    const result = await postV1AgentsByAgentRefWalletSignTypedData({
      client: clientFor(server),
      auth,
      path: { agentRef: server.seed.agentRef },
      body: { typed_data: permit },
    });
    expect(result.response.status).toBe(200);
    const { EIP712Domain: _, ...types } = permit.types;
    expect(
      await verifyTypedData({
        address: server.seed.serverWalletAddress,
        domain: { ...permit.domain, chainId: 31337 },
        types,
        primaryType: "Permit",
        message: { ...permit.message, value: 10n ** 18n, nonce: 0n, deadline: 1999999999n },
        signature: result.data!.signed.signature as Hex,
      }),
    ).toBe(true);
  });

  it("refuses an unknown primary type or a bad field with 400", async () => {
    const c = clientFor(server);
    const path = { agentRef: server.seed.agentRef };
    const unknown = await postV1AgentsByAgentRefWalletSignTypedData({
      client: c,
      auth,
      path,
      body: { typed_data: { ...permit, primary_type: "Nope" } },
    });
    expect(expectError(unknown, 400, "invalid_request").message).toContain("Nope");
    const badAddress = await postV1AgentsByAgentRefWalletSignTypedData({
      client: c,
      auth,
      path,
      body: { typed_data: { ...permit, message: { ...permit.message, owner: "not-an-address" } } },
    });
    expectError(badAddress, 400, "invalid_request");
    const badInteger = await postV1AgentsByAgentRefWalletSignTypedData({
      client: c,
      auth,
      path,
      body: { typed_data: { ...permit, message: { ...permit.message, value: "lots" } } },
    });
    expect(expectError(badInteger, 400, "invalid_request").details?.[0]?.path).toBe(
      "typed_data.message.value",
    );
  });
});

describe("sign-transaction", () => {
  it("signs exactly the given legacy and EIP-2930 fields; the results broadcast and land", async () => {
    const nonce = await pendingNonce();
    const legacy = await signTx(
      tx({
        to: RECIPIENT,
        value: "1000",
        nonce: `0x${nonce.toString(16)}`,
        gas: 21000,
        gasPrice: "0x77359400",
        type: 0,
        chain_id: 31337,
      }),
    );
    expect(legacy.response.status).toBe(200);
    const parsed = parseTransaction(legacy.data!.signed.signed_transaction as Hex);
    expect(parsed).toMatchObject({
      type: "legacy",
      nonce,
      gas: 21000n,
      gasPrice: 2_000_000_000n,
      value: 1000n,
      chainId: 31337,
    });
    expect(
      await recoverTransactionAddress({
        serializedTransaction: legacy.data!.signed.signed_transaction as never,
      }),
    ).toBe(server.seed.serverWalletAddress);

    const accessList = await signTx(
      tx({
        to: RECIPIENT,
        value: 1,
        nonce: nonce + 1,
        gasLimit: "0x5208",
        gas_price: parseGwei("3").toString(),
        type: 1,
      }),
    );
    expect(accessList.response.status).toBe(200);
    expect(parseTransaction(accessList.data!.signed.signed_transaction as Hex).type).toBe("eip2930");

    for (const signed of [legacy, accessList]) {
      const hash = await chain().sendRawTransaction({
        serializedTransaction: signed.data!.signed.signed_transaction as Hex,
      });
      expect(hash).toBe(signed.data!.signed.transaction_hash);
      expect((await chain().waitForTransactionReceipt({ hash })).status).toBe("success");
    }
  });

  it("fills the pending nonce, estimated gas and fees when omitted, returns them, and the result lands", async () => {
    const nonce = await pendingNonce();
    const signed = await signTx(tx({ to: RECIPIENT, value: "1" }));
    expect(signed.response.status).toBe(200);
    const raw = signed.data!.signed.signed_transaction as Hex;
    const parsed = parseTransaction(raw);
    expect(parsed).toMatchObject({ type: "eip1559", nonce, gas: 21000n, value: 1n, chainId: 31337 });
    expect(parsed.maxFeePerGas).toBeGreaterThan(0n);
    // The filled fields are part of the published response schema.
    expect(zAgentWalletSignedTransactionResponse.parse(signed.data).signed.transaction).toEqual(
      signed.data!.signed.transaction,
    );
    expect(signed.data!.signed.transaction).toEqual({
      nonce,
      gas: "21000",
      max_fee_per_gas: parsed.maxFeePerGas!.toString(),
      max_priority_fee_per_gas: parsed.maxPriorityFeePerGas!.toString(),
    });
    // A given field is kept exactly; only the missing ones are filled.
    const withGas = await signTx(tx({ to: RECIPIENT, value: "1", gas: 30000 }));
    expect(parseTransaction(withGas.data!.signed.signed_transaction as Hex).gas).toBe(30000n);
    const hash = await chain().sendRawTransaction({ serializedTransaction: raw });
    expect((await chain().waitForTransactionReceipt({ hash })).status).toBe("success");
  });

  it("refuses another chain with 400 unsupported_chain naming the served chain", async () => {
    const body = expectError(
      await signTx({
        caip2: "eip155:8453",
        params: { transaction: { to: RECIPIENT, nonce: 0, gas: 21000, gasPrice: 1 } },
      }),
      400,
      "unsupported_chain",
    );
    expect(body.message).toContain("eip155:31337");
  });

  it("refuses a chainId that disagrees with caip2, a foreign from, and disagreeing aliases", async () => {
    const base = { to: RECIPIENT, nonce: 0, gas: 21000, gasPrice: 1 } as const;
    const chainId = expectError(await signTx(tx({ ...base, chainId: 1 })), 400, "invalid_request");
    expect(chainId.details?.[0]?.path).toBe("params.transaction.chainId");
    const from = expectError(
      await signTx(tx({ ...base, from: "0x000000000000000000000000000000000000dEaD" })),
      400,
      "invalid_request",
    );
    expect(from.details?.[0]?.path).toBe("params.transaction.from");
    expectError(await signTx(tx({ ...base, gas_limit: 50000 })), 400, "invalid_request");
    expectError(await signTx(tx({ ...base, type: 2 })), 400, "invalid_request");
    const ok = await signTx(
      tx({
        ...base,
        from: server.seed.serverWalletAddress.toLowerCase(),
        gas_limit: "21000",
        chain_id: "31337",
      }),
    );
    expect(ok.response.status).toBe(200);
  });

  it("refuses wrongly typed quantities with the zod details", async () => {
    const body = expectError(
      await signTx(tx({ to: RECIPIENT, nonce: -1, gas: "lots", value: 1.5 } as never)),
      400,
      "invalid_request",
    );
    expect(body.details?.map((d) => d.path).sort()).toEqual([
      "params.transaction.gas",
      "params.transaction.nonce",
      "params.transaction.value",
    ]);
  });
});

describe("send-transaction", () => {
  it("gives concurrent sends distinct nonces and all land", async () => {
    const start = await pendingNonce();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sendTx(tx({ to: RECIPIENT, value: "1" }))),
    );
    for (const r of results) expect(r.response.status, JSON.stringify(r.error)).toBe(200);
    const nonces = results.map((r) => r.data!.transaction.nonce).sort((a, b) => a! - b!);
    expect(nonces).toEqual([start, start + 1, start + 2, start + 3, start + 4]);
    for (const r of results) {
      const receipt = await chain().waitForTransactionReceipt({ hash: r.data!.transaction.hash as Hex });
      expect(receipt.status).toBe("success");
    }
  });

  it("keeps the given fields (legacy gas price, explicit gas)", async () => {
    const result = await sendTx(
      tx({ to: RECIPIENT, value: "0x1", gas_price: parseGwei("5").toString(), gas: 30000 }),
    );
    expect(result.response.status).toBe(200);
    const sent = await chain().getTransaction({ hash: result.data!.transaction.hash as Hex });
    expect(sent).toMatchObject({ type: "legacy", gasPrice: parseGwei("5"), gas: 30000n });
  });

  it("answers 422 chain_rejected with the node's message when the wallet cannot pay", async () => {
    const body = expectError(
      await sendTx(tx({ to: RECIPIENT, value: parseEther("1000000").toString() })),
      422,
      "chain_rejected",
    );
    expect(body.message.toLowerCase()).toMatch(/fund|balance/);
  });

  it("answers 422 chain_rejected for a nonce the node rejects", async () => {
    expectError(await sendTx(tx({ to: RECIPIENT, value: "1", nonce: 0 })), 422, "chain_rejected");
  });
});

describe("idempotency", () => {
  it("replays the stored response byte for byte with Idempotent-Replayed, and refuses a different body with 422", async () => {
    const call = (body: object) =>
      postV1AgentsByAgentRefWalletSignMessage({
        client: clientFor(server),
        auth,
        path: { agentRef: server.seed.agentRef },
        body: body as never,
        parseAs: "text",
      });
    const first = await call({
      message: "pay 1",
      idempotency_key: "k-sign-1",
      authorization_context: { a: 1, b: 2 },
    });
    const second = await call({
      authorization_context: { b: 2, a: 1 },
      idempotency_key: "k-sign-1",
      message: "pay 1",
    });
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get("idempotent-replayed")).toBeNull();
    expect(second.response.status).toBe(200);
    expect(second.response.headers.get("idempotent-replayed")).toBe("true");
    expect(second.data).toBe(first.data);
    const other = await call({ message: "pay 2", idempotency_key: "k-sign-1" });
    expect(other.response.status).toBe(422);
    expect((other.error as { error: string }).error).toBe("idempotency_key_reused");
  });

  it("never broadcasts twice for one key", async () => {
    const before = await pendingNonce();
    const body = tx({ to: RECIPIENT, value: "7" }, { idempotency_key: "k-send-1" });
    const first = await sendTx(body);
    const second = await sendTx(body);
    expect(first.response.status).toBe(200);
    expect(second.response.headers.get("idempotent-replayed")).toBe("true");
    expect(second.data).toEqual(first.data);
    expect(await pendingNonce()).toBe(before + 1);
  });

  it("refuses or replays concurrent duplicates, and broadcasts once", async () => {
    const before = await pendingNonce();
    const body = tx({ to: RECIPIENT, value: "9" }, { idempotency_key: "k-send-concurrent" });
    const results = await Promise.all(Array.from({ length: 4 }, () => sendTx(body)));
    const hashes = new Set<string>();
    for (const r of results) {
      if (r.response.status === 409) {
        expect((r.error as { error: string }).error).toBe("idempotency_in_progress");
        expect(r.response.headers.get("retry-after")).toBe("1");
      } else {
        expect(r.response.status).toBe(200);
        hashes.add(r.data!.transaction.hash);
      }
    }
    expect(hashes.size).toBe(1);
    expect(await pendingNonce()).toBe(before + 1);
  });

  it("releases the key of a failed request so a corrected retry can use it", async () => {
    const failed = await signTx(tx({ to: RECIPIENT, value: "1", chainId: 1 }, { idempotency_key: "k-fix" }));
    expectError(failed, 400, "invalid_request");
    const fixed = await signTx(
      tx({ to: RECIPIENT, value: "1", nonce: 1000, gas: 21000, gasPrice: 1 }, { idempotency_key: "k-fix" }),
    );
    expect(fixed.response.status).toBe(200);
    const poor = await sendTx(
      tx({ to: RECIPIENT, value: parseEther("1000000").toString() }, { idempotency_key: "k-poor" }),
    );
    expectError(poor, 422, "chain_rejected");
    const rich = await sendTx(tx({ to: RECIPIENT, value: "1" }, { idempotency_key: "k-poor" }));
    expect(rich.response.status).toBe(200);
  });

  it("scopes keys to the agent and the operation", async () => {
    const key = { idempotency_key: "k-shared" };
    const message = await signMessage({ message: "one", ...key });
    const typed = await postV1AgentsByAgentRefWalletSignTypedData({
      client: clientFor(server),
      auth,
      path: { agentRef: server.seed.agentRef },
      body: {
        typed_data: {
          domain: { name: "x" },
          types: { T: [{ name: "a", type: "string" }] },
          primary_type: "T",
          message: { a: "b" },
        },
        ...key,
      },
    });
    const ownerOnSecond = await postV1AgentsByAgentRefWalletSignMessage({
      client: clientFor(server),
      auth: server.seed.ownerToken,
      path: { agentRef: "second-agent" },
      body: { message: "two", ...key },
    });
    for (const r of [message, typed, ownerOnSecond]) {
      expect(r.response.status).toBe(200);
      expect(r.response.headers.get("idempotent-replayed")).toBeNull();
    }
  });
});

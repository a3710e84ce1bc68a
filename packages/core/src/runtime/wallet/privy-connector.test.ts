import { generateKeyPairSync, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentChallenge } from "@lucid-dreams/sdk";
import { verifyMessage, verifyTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isConfigurationError, isTransportError } from "../errors.js";
import type { Hex } from "./base-connector.js";
import { toTypedDataDefinition } from "./challenge.js";
import { PrivyEip191Connector } from "./privy-connector.js";
import { isWalletProviderError, type WalletProviderError } from "./wallet-errors.js";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  json: Record<string, unknown> | undefined;
}
type Reply = { status: number; body: unknown };

const startPeer = async (handler: (request: Recorded) => Reply | Promise<Reply>) => {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const recorded: Recorded = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
    requests.push(recorded);
    const reply = await handler(recorded);
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** RFC 8785 canonical JSON, written independently of the code under test. */
const canonicalize = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalize((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
};

const APP_ID = "app_test_123";
const APP_SECRET = "privy_app_secret_ZYX987654321";
const WALLET_ID = "wallet_abc";

const challenge = (payload: unknown, id = "ch_1"): AgentChallenge =>
  ({
    id,
    credential_id: "cred_1",
    payload,
    payload_hash: `0x${"aa".repeat(32)}`,
    nonce: "nonce12345",
    scopes: [],
    issued_at: "2025-01-01T00:00:00.000Z",
    expires_at: "2025-01-01T00:05:00.000Z",
    server_signature: null,
  }) as AgentChallenge;

describe("PrivyEip191Connector against a fake Privy API", () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const authorizationKeys = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const authorizationPrivateKey = `wallet-auth:${authorizationKeys.privateKey
    .export({ type: "pkcs8", format: "der" })
    .toString("base64")}`;
  let failWith: Reply | null = null;
  /** Whether the fake requires (and verifies) privy-authorization-signature. */
  let requireSignature = false;
  let peer: Awaited<ReturnType<typeof startPeer>>;

  beforeAll(async () => {
    peer = await startPeer(async (request) => {
      const expectedAuth = `Basic ${Buffer.from(`${APP_ID}:${APP_SECRET}`).toString("base64")}`;
      if (request.headers.authorization !== expectedAuth || request.headers["privy-app-id"] !== APP_ID) {
        return { status: 401, body: { error: "Invalid app ID or app secret." } };
      }
      if (failWith) return failWith;
      if (request.method === "GET" && request.url === `/v1/wallets/${WALLET_ID}`) {
        return { status: 200, body: { id: WALLET_ID, address: account.address, chain_type: "ethereum" } };
      }
      if (request.method !== "POST" || request.url !== `/v1/wallets/${WALLET_ID}/rpc`) {
        return { status: 404, body: { error: "Not found" } };
      }
      if (request.headers["content-type"] !== "application/json")
        return { status: 415, body: { error: "json only" } };
      if (requireSignature) {
        const header = request.headers["privy-authorization-signature"];
        const privyHeaders: Record<string, string> = { "privy-app-id": APP_ID };
        const idempotencyKey = request.headers["privy-idempotency-key"];
        if (typeof idempotencyKey === "string") privyHeaders["privy-idempotency-key"] = idempotencyKey;
        const payload = canonicalize({
          version: 1,
          method: "POST",
          url: `${peer.url}${request.url}`,
          body: request.json,
          headers: privyHeaders,
        });
        const valid =
          typeof header === "string" &&
          verify("sha256", Buffer.from(payload), authorizationKeys.publicKey, Buffer.from(header, "base64"));
        if (!valid)
          return {
            status: 401,
            body: { error: "Invalid authorization signature.", code: "invalid_signature" },
          };
      }
      const body = request.json ?? {};
      const params = body.params as Record<string, unknown>;
      if (body.method === "personal_sign") {
        const message = params.message as string;
        const signature =
          params.encoding === "hex"
            ? await account.signMessage({ message: { raw: `0x${message}` as Hex } })
            : await account.signMessage({ message });
        return { status: 200, body: { method: "personal_sign", data: { signature, encoding: "hex" } } };
      }
      if (body.method === "eth_signTypedData_v4") {
        const definition = toTypedDataDefinition(params.typed_data);
        const signature = await account.signTypedData(definition as never);
        return {
          status: 200,
          body: { method: "eth_signTypedData_v4", data: { signature, encoding: "hex" } },
        };
      }
      return { status: 400, body: { error: "Unsupported method" } };
    });
  });
  afterAll(() => peer.close());
  beforeEach(() => {
    failWith = null;
    requireSignature = false;
    peer.requests.length = 0;
  });

  const connector = (extra: Partial<ConstructorParameters<typeof PrivyEip191Connector>[0]> = {}) =>
    new PrivyEip191Connector({
      appId: APP_ID,
      appSecret: APP_SECRET,
      walletId: WALLET_ID,
      baseUrl: `${peer.url}/`,
      ...extra,
    });

  it("signs a text challenge with personal_sign (utf-8), basic auth and privy-app-id", async () => {
    const text = "Sign in to Lucid\nNonce: nonce12345";
    const signature = await connector().signChallenge(challenge({ type: "message", message: text }));
    expect(
      await verifyMessage({ address: account.address, message: text, signature: signature as Hex }),
    ).toBe(true);
    const [request] = peer.requests;
    expect(request?.json).toEqual({ method: "personal_sign", params: { message: text, encoding: "utf-8" } });
    expect(request?.headers["privy-idempotency-key"]).toBe("lucid-challenge-ch_1");
    expect(request?.headers["privy-authorization-signature"]).toBeUndefined();
  });

  it("signs raw bytes with encoding hex (hex digits without 0x, as Privy's SDK sends them)", async () => {
    const signature = await connector().signChallenge(challenge({ message: "0xdeadbeef" }));
    expect(peer.requests[0]?.json).toEqual({
      method: "personal_sign",
      params: { message: "deadbeef", encoding: "hex" },
    });
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: "0xdeadbeef" },
        signature: signature as Hex,
      }),
    ).toBe(true);
    const bytes = await connector().signMessage({ raw: new Uint8Array([1, 2]) });
    expect(
      await verifyMessage({ address: account.address, message: { raw: "0x0102" }, signature: bytes as Hex }),
    ).toBe(true);
  });

  it("signs typed data with eth_signTypedData_v4, primary_type and the EIP712Domain type", async () => {
    const typedWire = {
      domain: { name: "Lucid", chainId: "8453" },
      types: { Login: [{ name: "nonce", type: "string" }] },
      primary_type: "Login",
      message: { nonce: "n" },
    };
    const signature = await connector().signChallenge(
      challenge({ type: "typed_data", typed_data: typedWire }),
    );
    const sent = peer.requests[0]?.json as {
      method: string;
      params: { typed_data: Record<string, unknown> };
    };
    expect(sent.method).toBe("eth_signTypedData_v4");
    expect(sent.params.typed_data).toEqual({
      domain: { name: "Lucid", chainId: 8453 },
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "chainId", type: "uint256" },
        ],
        Login: [{ name: "nonce", type: "string" }],
      },
      primary_type: "Login",
      message: { nonce: "n" },
    });
    const definition = toTypedDataDefinition(typedWire);
    expect(
      await verifyTypedData({
        ...definition,
        address: account.address,
        signature: signature as Hex,
      } as never),
    ).toBe(true);
  });

  it("adds a verifiable privy-authorization-signature when an authorization key is configured", async () => {
    requireSignature = true;
    const wallet = connector({ authorizationPrivateKey });
    const signature = await wallet.signChallenge(challenge("hello", "ch_signed"));
    expect(
      await verifyMessage({ address: account.address, message: "hello", signature: signature as Hex }),
    ).toBe(true);
    expect(typeof peer.requests[0]?.headers["privy-authorization-signature"]).toBe("string");
    // Without an idempotency key the header is left out of the signed payload too.
    await wallet.signMessage("plain");
    expect(peer.requests[1]?.headers["privy-idempotency-key"]).toBeUndefined();
  });

  it("is refused by a wallet with an owner when no authorization key is configured", async () => {
    requireSignature = true;
    const error = await connector()
      .signMessage("hello")
      .catch((caught: unknown) => caught);
    expect(isWalletProviderError(error)).toBe(true);
    expect((error as WalletProviderError).status).toBe(401);
    expect((error as WalletProviderError).serverCode).toBe("invalid_signature");
  });

  it("maps bad credentials to WalletProviderError without leaking the secret", async () => {
    const error = await connector({ appSecret: "wrong_secret_value_123" })
      .signMessage("hello")
      .catch((caught: unknown) => caught);
    expect(isWalletProviderError(error)).toBe(true);
    const typed = error as WalletProviderError;
    expect(typed.status).toBe(401);
    expect(typed.provider).toBe("privy");
    expect(typed.message).toMatch(/Invalid app ID or app secret/);
    expect(typed.message).not.toContain("wrong_secret_value_123");
    expect(typed.retryable).toBe(false);
  });

  it("marks 429 and 5xx as retryable and rejects a 200 without a signature", async () => {
    failWith = { status: 503, body: { error: "Unavailable" } };
    const unavailable = await connector()
      .signMessage("x")
      .catch((caught: unknown) => caught);
    expect((unavailable as WalletProviderError).retryable).toBe(true);
    failWith = { status: 200, body: { data: {} } };
    await expect(connector().signMessage("x")).rejects.toThrow(/no 0x-hex signature/);
  });

  it("looks up the address with GET /v1/wallets/{id} and reports metadata", async () => {
    const wallet = connector({ caip2: "eip155:8453" });
    expect(await wallet.getAddress()).toBe(account.address);
    expect(peer.requests[0]?.method).toBe("GET");
    expect(await wallet.getWalletMetadata()).toMatchObject({
      id: WALLET_ID,
      address: account.address,
      provider: "privy",
      caip2: "eip155:8453",
    });
    expect(wallet.supportsCaip2("eip155:8453")).toBe(true);
    expect(wallet.supportsCaip2("eip155:1")).toBe(false);
  });
});

describe("PrivyEip191Connector configuration", () => {
  it("requires appId, appSecret and walletId", () => {
    for (const options of [
      { appId: "", appSecret: "s", walletId: "w" },
      { appId: "a", appSecret: "", walletId: "w" },
      { appId: "a", appSecret: "s", walletId: " " },
    ]) {
      let thrown: unknown;
      try {
        new PrivyEip191Connector(options);
      } catch (error) {
        thrown = error;
      }
      expect(isConfigurationError(thrown)).toBe(true);
    }
  });

  it("reports a malformed authorization key when signing", async () => {
    const wallet = new PrivyEip191Connector({
      appId: "a",
      appSecret: "s",
      walletId: "w",
      authorizationPrivateKey: "wallet-auth:bm90IGEga2V5",
      fetch: async () => new Response("{}"),
    });
    await expect(wallet.signMessage("x")).rejects.toSatisfy(isConfigurationError);
  });

  it("turns network failures into TransportError", async () => {
    const wallet = new PrivyEip191Connector({
      appId: "a",
      appSecret: "s",
      walletId: "w",
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    });
    await expect(wallet.signMessage("x")).rejects.toSatisfy(isTransportError);
  });
});

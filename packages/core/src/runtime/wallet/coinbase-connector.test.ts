import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentChallenge } from "@lucid-dreams/sdk";
import { parseTransaction, recoverTransactionAddress, verifyMessage, verifyTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isConfigurationError } from "../errors.js";
import type { Hex } from "./base-connector.js";
import { toTypedDataDefinition } from "./challenge.js";
import { CoinbaseManagedWalletConnector } from "./coinbase-connector.js";
import { isWalletProviderError, type WalletProviderError } from "./wallet-errors.js";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  text: string;
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
      text,
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
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** JSON with sorted keys, as the CDP SDKs hash request bodies (written independently of the code under test). */
const sortedJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${sortedJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
};

const decodePart = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;

/** Verifies a compact JWS with `publicKey`; returns header and claims, or throws. */
const verifyJwt = (token: string, publicKey: KeyObject) => {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) throw new Error("not a JWT");
  const decodedHeader = decodePart(header);
  const input = Buffer.from(`${header}.${payload}`);
  const raw = Buffer.from(signature, "base64url");
  const ok =
    decodedHeader.alg === "ES256"
      ? verify("sha256", input, { key: publicKey, dsaEncoding: "ieee-p1363" }, raw)
      : verify(null, input, publicKey, raw);
  if (!ok) throw new Error("bad JWT signature");
  return { header: decodedHeader, claims: decodePart(payload) };
};

const NOW = 1_750_000_000_000;
const KEY_ID = "organizations/org-1/apiKeys/key-1";

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

describe("CoinbaseManagedWalletConnector against a fake CDP API", () => {
  const account = privateKeyToAccount(generatePrivateKey());
  const ecApiKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const edApiKey = generateKeyPairSync("ed25519");
  const walletKey = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecSecretPem = ecApiKey.privateKey.export({ type: "sec1", format: "pem" }).toString();
  const edJwk = edApiKey.privateKey.export({ format: "jwk" });
  const edSecret = Buffer.concat([
    Buffer.from(edJwk.d ?? "", "base64url"),
    Buffer.from(edJwk.x ?? "", "base64url"),
  ]).toString("base64");
  const walletSecret = walletKey.privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
  let apiPublicKey: KeyObject = ecApiKey.publicKey;
  let failWith: Reply | null = null;
  let peer: Awaited<ReturnType<typeof startPeer>>;
  const base = `/platform/v2/evm/accounts/${account.address}`;

  beforeAll(async () => {
    peer = await startPeer(async (request) => {
      const uri = `POST ${peer.host}${request.url}`;
      try {
        const bearer = String(request.headers.authorization ?? "").replace(/^Bearer /, "");
        const { header, claims } = verifyJwt(bearer, apiPublicKey);
        expect(header).toMatchObject({ kid: KEY_ID, typ: "JWT" });
        expect(header.nonce).toMatch(/^[0-9a-f]{32}$/);
        expect(claims).toEqual({
          sub: KEY_ID,
          iss: "cdp",
          aud: ["cdp_service"],
          uris: [uri],
          iat: NOW / 1000,
          nbf: NOW / 1000,
          exp: NOW / 1000 + 120,
        });
        const walletAuth = verifyJwt(String(request.headers["x-wallet-auth"]), walletKey.publicKey);
        expect(walletAuth.header).toEqual({ alg: "ES256", typ: "JWT" });
        expect(walletAuth.claims).toMatchObject({ uris: [uri], iat: NOW / 1000, nbf: NOW / 1000 });
        expect(walletAuth.claims.jti).toMatch(/^[0-9a-f]{32}$/);
        expect(walletAuth.claims.reqHash).toBe(
          createHash("sha256").update(sortedJson(request.json)).digest("hex"),
        );
        expect(request.text).toBe(sortedJson(request.json));
      } catch (error) {
        return { status: 401, body: { errorType: "unauthorized", errorMessage: String(error) } };
      }
      if (failWith) return failWith;
      const body = request.json ?? {};
      if (request.url === `${base}/sign/message`) {
        return {
          status: 200,
          body: { signature: await account.signMessage({ message: body.message as string }) },
        };
      }
      if (request.url === `${base}/sign`) {
        return { status: 200, body: { signature: await account.sign({ hash: body.hash as Hex }) } };
      }
      if (request.url === `${base}/sign/typed-data`) {
        const { primaryType, ...rest } = body as { primaryType: string };
        return {
          status: 200,
          body: { signature: await account.signTypedData({ ...rest, primaryType } as never) },
        };
      }
      if (request.url === `${base}/sign/transaction`) {
        const unsigned = parseTransaction(body.transaction as Hex);
        return { status: 200, body: { signedTransaction: await account.signTransaction(unsigned as never) } };
      }
      return { status: 404, body: { errorType: "not_found", errorMessage: "no such route" } };
    });
  });
  afterAll(() => peer.close());
  beforeEach(() => {
    failWith = null;
    apiPublicKey = ecApiKey.publicKey;
    peer.requests.length = 0;
  });

  const connector = (extra: Partial<ConstructorParameters<typeof CoinbaseManagedWalletConnector>[0]> = {}) =>
    new CoinbaseManagedWalletConnector({
      apiKeyId: KEY_ID,
      apiKeySecret: ecSecretPem,
      walletSecret,
      address: account.address,
      baseUrl: `${peer.url}/platform`,
      now: () => NOW,
      ...extra,
    });

  it("signs a text challenge via sign/message with an ES256 bearer JWT and a wallet JWT", async () => {
    const text = "Sign in to Lucid\nNonce: nonce12345";
    const signature = await connector().signChallenge(challenge({ type: "message", message: text }));
    expect(peer.requests[0]?.url).toBe(`${base}/sign/message`);
    expect(peer.requests[0]?.json).toEqual({ message: text });
    expect(peer.requests[0]?.headers["x-idempotency-key"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(
      await verifyMessage({ address: account.address, message: text, signature: signature as Hex }),
    ).toBe(true);
  });

  it("uses a deterministic idempotency key per challenge", async () => {
    await connector().signChallenge(challenge("a", "same"));
    await connector().signChallenge(challenge("a", "same"));
    await connector().signChallenge(challenge("a", "other"));
    const keys = peer.requests.map((request) => request.headers["x-idempotency-key"]);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("accepts an Ed25519 API key (EdDSA bearer JWT)", async () => {
    apiPublicKey = edApiKey.publicKey;
    const signature = await connector({ apiKeySecret: edSecret }).signMessage("gm");
    expect(
      await verifyMessage({ address: account.address, message: "gm", signature: signature as Hex }),
    ).toBe(true);
  });

  it("accepts a PKCS#8 PEM API key and escaped newlines", async () => {
    const pkcs8 = ecApiKey.privateKey
      .export({ type: "pkcs8", format: "pem" })
      .toString()
      .replace(/\n/g, "\\n");
    await expect(connector({ apiKeySecret: pkcs8 }).signMessage("gm")).resolves.toMatch(/^0x/);
  });

  it("signs raw-byte challenges through sign with the EIP-191 digest", async () => {
    const signature = await connector().signChallenge(challenge({ message: "0xdeadbeef" }));
    expect(peer.requests[0]?.url).toBe(`${base}/sign`);
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: "0xdeadbeef" },
        signature: signature as Hex,
      }),
    ).toBe(true);
  });

  it("signs typed-data challenges through sign/typed-data (primaryType, EIP712Domain)", async () => {
    const typedWire = {
      domain: { name: "Lucid", version: "1", chainId: "8453" },
      types: { Login: [{ name: "nonce", type: "uint256" }] },
      primary_type: "Login",
      message: { nonce: "5" },
    };
    const signature = await connector().signChallenge(challenge({ typed_data: typedWire }));
    expect(peer.requests[0]?.json).toMatchObject({
      primaryType: "Login",
      domain: { name: "Lucid", version: "1", chainId: 8453 },
      types: { EIP712Domain: expect.any(Array), Login: typedWire.types.Login },
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

  it("signs transactions through sign/transaction", async () => {
    const signed = await connector({ caip2: "eip155:84532" }).signTransaction({
      to: "0x0000000000000000000000000000000000000002",
      value: "1000",
      nonce: 3,
      gas: 21000,
      max_fee_per_gas: "2000000000",
      max_priority_fee_per_gas: "1000000",
    });
    expect(await recoverTransactionAddress({ serializedTransaction: signed as never })).toBe(account.address);
    expect(parseTransaction(signed as Hex)).toMatchObject({ chainId: 84532, nonce: 3, value: 1000n });
  });

  it("maps CDP errors to WalletProviderError with the errorType and no secrets", async () => {
    failWith = { status: 403, body: { errorType: "forbidden", errorMessage: "Policy violation." } };
    const error = await connector()
      .signMessage("x")
      .catch((caught: unknown) => caught);
    expect(isWalletProviderError(error)).toBe(true);
    const typed = error as WalletProviderError;
    expect(typed).toMatchObject({
      status: 403,
      serverCode: "forbidden",
      provider: "coinbase-cdp",
      retryable: false,
    });
    expect(typed.message).toMatch(/Policy violation/);
    expect(typed.message).not.toContain(walletSecret.slice(20, 60));
  });

  it("is rejected (401) with the wrong wallet secret", async () => {
    const otherWallet = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "der" })
      .toString("base64");
    const error = await connector({ walletSecret: otherWallet })
      .signMessage("x")
      .catch((caught: unknown) => caught);
    expect((error as WalletProviderError).status).toBe(401);
    expect((error as WalletProviderError).serverCode).toBe("unauthorized");
  });

  it("reports metadata and chain support", async () => {
    const wallet = connector({ caip2: "eip155:8453", label: "treasury" });
    expect(await wallet.getAddress()).toBe(account.address);
    expect(await wallet.getWalletMetadata()).toEqual({
      address: account.address,
      provider: "coinbase-cdp",
      chainType: "ethereum",
      caip2: "eip155:8453",
      label: "treasury",
    });
    expect(wallet.supportsCaip2("eip155:8453")).toBe(true);
    expect(wallet.supportsCaip2("eip155:1")).toBe(false);
    expect(createPublicKey(ecApiKey.privateKey).asymmetricKeyType).toBe("ec");
  });
});

describe("CoinbaseManagedWalletConnector configuration", () => {
  const address = "0x0000000000000000000000000000000000000001";
  const walletSecret = generateKeyPairSync("ec", { namedCurve: "P-256" })
    .privateKey.export({ type: "pkcs8", format: "der" })
    .toString("base64");

  it.each([
    [{ apiKeyId: "" }, /apiKeyId/],
    [{ apiKeySecret: "" }, /apiKeySecret/],
    [{ walletSecret: "" }, /walletSecret/],
    [{ address: "0x123" }, /20-byte/],
  ])("rejects %o", (override, pattern) => {
    let thrown: unknown;
    try {
      new CoinbaseManagedWalletConnector({
        apiKeyId: "k",
        apiKeySecret: "s",
        walletSecret,
        address,
        ...override,
      });
    } catch (error) {
      thrown = error;
    }
    expect(isConfigurationError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(pattern);
  });

  it("reports malformed keys when signing", async () => {
    const fetch = async () => new Response("{}");
    const badApiKey = new CoinbaseManagedWalletConnector({
      apiKeyId: "k",
      apiKeySecret: "c2hvcnQ=",
      walletSecret,
      address,
      fetch,
    });
    await expect(badApiKey.signMessage("x")).rejects.toThrow(/not a 64-byte Ed25519 key/);
    const mismatched = new CoinbaseManagedWalletConnector({
      apiKeyId: "k",
      apiKeySecret: Buffer.alloc(64, 1).toString("base64"),
      walletSecret,
      address,
      fetch,
    });
    await expect(mismatched.signMessage("x")).rejects.toThrow(/not a valid Ed25519 key/);
    const jwk = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
    const badWallet = new CoinbaseManagedWalletConnector({
      apiKeyId: "k",
      apiKeySecret: Buffer.concat([
        Buffer.from(jwk.d ?? "", "base64url"),
        Buffer.from(jwk.x ?? "", "base64url"),
      ]).toString("base64"),
      walletSecret: "bm90IGEga2V5",
      address,
      fetch,
    });
    await expect(badWallet.signMessage("x")).rejects.toSatisfy(isConfigurationError);
  });
});

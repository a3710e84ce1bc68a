/**
 * A connector for a Coinbase Developer Platform (CDP) Server Wallet v2 EVM account, through the CDP REST API
 * (`https://api.cdp.coinbase.com/platform/v2/evm/accounts/{address}/...`):
 * - text challenges: `POST .../sign/message` `{ message }` (EIP-191 over the UTF-8 text);
 * - raw-byte challenges: `POST .../sign` `{ hash }` with the EIP-191 digest of the bytes (computed with viem,
 *   an optional peer loaded lazily), which yields the same signature as `personal_sign` of those bytes;
 * - EIP-712 challenges: `POST .../sign/typed-data` `{ domain, types, primaryType, message }`;
 * - transactions: `POST .../sign/transaction` `{ transaction }` (the unsigned RLP, serialised with viem).
 *
 * Every request carries `Authorization: Bearer <JWT>` signed with the CDP API key (ES256 for a PEM EC key,
 * EdDSA for a base64 Ed25519 key; claims `sub`, `iss: "cdp"`, `aud: ["cdp_service"]`, `uris: ["POST host/path"]`,
 * `iat`, `nbf`, `exp` = +120 s; header `kid`, `nonce`) and `X-Wallet-Auth: <JWT>` signed (ES256) with the Wallet
 * Secret (base64 PKCS#8 P-256; claims `uris`, `reqHash` = SHA-256 hex of the sorted-key JSON body, `iat`, `nbf`,
 * `jti`). All signing uses WebCrypto.
 */
import { ConfigurationError } from "../errors.js";
import type { FetchExecutor } from "../transport/http-transport.js";
import type {
  AgentChallengeInput,
  Hex,
  SignableMessage,
  TransactionInput,
  TypedDataDefinition,
  WalletConnector,
  WalletMetadata,
} from "./base-connector.js";
import {
  challengeToSignable,
  isEip155Caip2,
  isHexBytes,
  rawMessageHex,
  stableJsonStringify,
  typedDataToWire,
  withEip712DomainType,
} from "./challenge.js";
import { toTransactionSerializable } from "./local-key-connector.js";
import { isRecord, type Provider, providerRequest, requireOption, resolveFetch } from "./provider-request.js";
import { isNotSupported, NotSupportedError, WalletProviderError } from "./wallet-errors.js";
import {
  fromBase64,
  importEd25519PrivateKey,
  importP256PrivateKey,
  parsePem,
  randomHex,
  sha256Hex,
  signJwt,
  uuidFromSeed,
} from "./web-crypto.js";

/** The CDP platform API (v2 paths are appended to it). */
export const CDP_API_BASE_URL = "https://api.cdp.coinbase.com/platform";

/** Options of `CoinbaseManagedWalletConnector`. */
export interface CoinbaseManagedWalletConnectorOptions {
  /** CDP API key id (`CDP_API_KEY_ID`): a UUID or `organizations/.../apiKeys/...`. */
  apiKeyId: string;
  /** CDP API key secret (`CDP_API_KEY_SECRET`): a PEM EC key, or a base64 Ed25519 key (64 bytes). A secret. */
  apiKeySecret: string;
  /** CDP Wallet Secret (`CDP_WALLET_SECRET`): base64 PKCS#8 DER of a P-256 key. A secret. */
  walletSecret: string;
  /** The EVM account's 0x address. */
  address: string;
  /** Default `https://api.cdp.coinbase.com/platform`. */
  baseUrl?: string;
  /** Default `globalThis.fetch`. */
  fetch?: FetchExecutor;
  /** Restricts `supportsCaip2` to one chain, and is the default chain id of transactions. */
  caip2?: string | null;
  label?: string | null;
  /** Lifetime of the bearer JWT in seconds. Default 120. */
  jwtExpiresInSeconds?: number;
  /** Clock in milliseconds (for tests). Default `Date.now`. */
  now?: () => number;
}

interface ApiKey {
  key: CryptoKey;
  algorithm: "ES256" | "EdDSA";
}

const requireString = (name: string, value: unknown, hint: string) =>
  requireOption("CoinbaseManagedWalletConnector", name, value, hint);

/** CDP's error body (`{ errorType, errorMessage }`) and what to check for each status. */
const CDP: Provider = {
  id: "coinbase-cdp",
  name: "CDP",
  host: "api.cdp.coinbase.com",
  refusal: (data, status) => ({
    message: isRecord(data) && typeof data.errorMessage === "string" ? data.errorMessage : undefined,
    code: isRecord(data) && typeof data.errorType === "string" ? data.errorType : undefined,
    hint:
      status === 401
        ? "Check the CDP API key id/secret and the Wallet Secret, and that this machine's clock is correct (JWTs live 120 s)."
        : status === 403
          ? "The API key or a policy does not allow this signing operation on this account."
          : "See CDP's errorMessage and errorType.",
  }),
};

const importApiKey = async (secret: string): Promise<ApiKey> => {
  const pem = parsePem(secret);
  if (pem) {
    const formats: Array<"sec1" | "pkcs8"> = pem.label === "EC PRIVATE KEY" ? ["sec1"] : ["pkcs8", "sec1"];
    for (const format of formats) {
      try {
        return { key: await importP256PrivateKey(pem.der, format), algorithm: "ES256" };
      } catch (cause) {
        if (isNotSupported(cause)) throw cause;
      }
    }
    throw new ConfigurationError("The CDP apiKeySecret is a PEM key but not a P-256 (ES256) private key.", {
      hint: "Use the key exactly as downloaded from the CDP portal (-----BEGIN EC PRIVATE KEY-----...), or an Ed25519 key.",
    });
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(secret);
  } catch (cause) {
    throw new ConfigurationError("The CDP apiKeySecret is neither a PEM EC key nor base64.", {
      hint: "Use the secret exactly as shown in the CDP portal.",
      cause,
    });
  }
  if (bytes.length !== 64) {
    throw new ConfigurationError("The CDP apiKeySecret is base64 but not a 64-byte Ed25519 key.", {
      hint: "Ed25519 CDP keys are 64 bytes (seed and public key) in base64; EC keys are PEM.",
    });
  }
  try {
    return { key: await importEd25519PrivateKey(bytes.slice(0, 32), bytes.slice(32)), algorithm: "EdDSA" };
  } catch (cause) {
    if (isNotSupported(cause)) throw cause;
    throw new ConfigurationError(
      "The CDP apiKeySecret is not a valid Ed25519 key (seed and public key do not match).",
      {
        hint: "Use the secret exactly as shown in the CDP portal.",
        cause,
      },
    );
  }
};

const importWalletSecret = async (secret: string): Promise<CryptoKey> => {
  let der: Uint8Array;
  try {
    der = fromBase64(secret);
  } catch (cause) {
    throw new ConfigurationError("The CDP walletSecret is not base64.", {
      hint: "Use the Wallet Secret exactly as shown in the CDP portal (base64 PKCS#8).",
      cause,
    });
  }
  try {
    return await importP256PrivateKey(der, "pkcs8");
  } catch (cause) {
    if (isNotSupported(cause)) throw cause;
    throw new ConfigurationError("The CDP walletSecret is not a P-256 PKCS#8 private key.", {
      hint: "Use the Wallet Secret exactly as shown in the CDP portal (base64 PKCS#8).",
      cause,
    });
  }
};

/** viem, loaded only when a raw-byte message or a transaction needs it. */
const loadViem = async (feature: string) => {
  try {
    return await import("viem");
  } catch (cause) {
    throw new NotSupportedError(
      `${feature} with the Coinbase connector needs viem, which is not installed.`,
      {
        hint: "Install the optional peer dependency: npm install viem",
        cause,
      },
    );
  }
};

/** Signs challenges, messages, typed data and transactions with a CDP Server Wallet v2 EVM account. */
export class CoinbaseManagedWalletConnector implements WalletConnector {
  readonly #apiKeyId: string;
  readonly #apiKey: Promise<ApiKey>;
  readonly #walletKey: Promise<CryptoKey>;
  readonly #address: string;
  readonly #baseUrl: URL;
  readonly #fetch: FetchExecutor;
  readonly #options: CoinbaseManagedWalletConnectorOptions;

  constructor(options: CoinbaseManagedWalletConnectorOptions) {
    this.#apiKeyId = requireString(
      "apiKeyId",
      options?.apiKeyId,
      "Pass the CDP API key id (CDP_API_KEY_ID).",
    );
    const apiKeySecret = requireString(
      "apiKeySecret",
      options.apiKeySecret,
      "Pass the CDP API key secret (CDP_API_KEY_SECRET).",
    );
    const walletSecret = requireString(
      "walletSecret",
      options.walletSecret,
      "Pass the CDP Wallet Secret (CDP_WALLET_SECRET); signing endpoints require it.",
    );
    const address = requireString("address", options.address, "Pass the 0x address of the CDP EVM account.");
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
      throw new ConfigurationError("CoinbaseManagedWalletConnector's address is not a 20-byte 0x address.", {
        hint: "Pass the EVM account address, e.g. from cdp.evm.createAccount().",
      });
    }
    this.#address = address;
    try {
      this.#baseUrl = new URL((options.baseUrl ?? CDP_API_BASE_URL).replace(/\/+$/, ""));
    } catch (cause) {
      throw new ConfigurationError("CoinbaseManagedWalletConnector's baseUrl is not a URL.", {
        hint: `Omit it to use ${CDP_API_BASE_URL}.`,
        cause,
      });
    }
    this.#fetch = resolveFetch(options.fetch);
    this.#options = options;
    this.#apiKey = importApiKey(apiKeySecret);
    this.#walletKey = importWalletSecret(walletSecret);
    // Surface malformed keys when they are used, not as unhandled rejections now.
    this.#apiKey.catch(() => {});
    this.#walletKey.catch(() => {});
  }

  /** Signs the challenge: text via `sign/message`, raw bytes via `sign` (EIP-191 digest), EIP-712 via `sign/typed-data`. */
  async signChallenge(challenge: AgentChallengeInput): Promise<string> {
    const signable = challengeToSignable(challenge);
    const idempotencyKey = await uuidFromSeed(
      `lucid-challenge:${String((challenge as { id?: unknown }).id ?? "")}:${this.#address}`,
    );
    if (signable.kind === "typed_data") return this.#signTypedData(signable.typedData, idempotencyKey);
    if (signable.kind === "raw") return this.#signRaw(signable.hex, idempotencyKey);
    return this.#signText(signable.message, idempotencyKey);
  }

  /** Signs an EIP-191 personal message (text, or `{ raw }` bytes via the digest). */
  async signMessage(message: SignableMessage): Promise<string> {
    if (typeof message === "string") return this.#signText(message);
    return this.#signRaw(rawMessageHex(message.raw));
  }

  /** Signs EIP-712 typed data. */
  async signTypedData(typedData: TypedDataDefinition): Promise<string> {
    return this.#signTypedData(typedData);
  }

  /** Signs an EVM transaction on CDP; resolves to the signed serialised transaction. */
  async signTransaction(transaction: TransactionInput): Promise<string> {
    const viem = await loadViem("Signing a transaction");
    const caip2 = this.#options.caip2;
    const defaultChainId = caip2 && isEip155Caip2(caip2) ? Number(caip2.slice(7)) : undefined;
    const serializable = toTransactionSerializable(transaction, defaultChainId);
    if (serializable.chainId === undefined) {
      throw new ConfigurationError("The transaction has no chainId.", {
        hint: "Set chainId on the transaction or caip2 (e.g. eip155:8453) on the connector.",
      });
    }
    const unsigned = viem.serializeTransaction(serializable as never);
    const data = await this.#post("/sign/transaction", { transaction: unsigned });
    const signed = isRecord(data) ? data.signedTransaction : undefined;
    if (typeof signed !== "string" || !isHexBytes(signed)) {
      throw new WalletProviderError("CDP's response has no signedTransaction.", {
        provider: "coinbase-cdp",
        hint: "Check that baseUrl points at the CDP platform API.",
      });
    }
    return signed;
  }

  async #signText(message: string, idempotencyKey?: string): Promise<string> {
    return this.#signature(await this.#post("/sign/message", { message }, idempotencyKey));
  }

  async #signRaw(hex: Hex, idempotencyKey?: string): Promise<string> {
    const viem = await loadViem("Signing raw bytes");
    const hash = viem.hashMessage({ raw: hex });
    return this.#signature(await this.#post("/sign", { hash }, idempotencyKey));
  }

  async #signTypedData(typedData: TypedDataDefinition, idempotencyKey?: string): Promise<string> {
    const wire = typedDataToWire(withEip712DomainType(typedData));
    const body = {
      domain: wire.domain,
      types: wire.types,
      primaryType: wire.primary_type,
      message: wire.message,
    };
    return this.#signature(await this.#post("/sign/typed-data", body, idempotencyKey));
  }

  #signature(data: unknown): string {
    const signature = isRecord(data) ? data.signature : undefined;
    if (typeof signature !== "string" || !isHexBytes(signature)) {
      throw new WalletProviderError("CDP's response has no 0x-hex signature.", {
        provider: "coinbase-cdp",
        hint: "Check that baseUrl points at the CDP platform API.",
      });
    }
    return signature;
  }

  async #post(suffix: string, body: Record<string, unknown>, idempotencyKey?: string): Promise<unknown> {
    const url = new URL(this.#baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/v2/evm/accounts/${this.#address}${suffix}`;
    const uri = `POST ${url.host}${url.pathname}`;
    // Sorted keys, compact: the bytes sent are exactly the bytes hashed into reqHash.
    const json = stableJsonStringify(body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.#bearerJwt(uri)}`,
      "x-wallet-auth": await this.#walletJwt(uri, json),
      "content-type": "application/json",
    };
    if (idempotencyKey) headers["x-idempotency-key"] = idempotencyKey;

    return providerRequest(CDP, this.#fetch, url.href, { method: "POST", headers, body: json });
  }

  async #bearerJwt(uri: string): Promise<string> {
    const { key, algorithm } = await this.#apiKey;
    const now = Math.floor((this.#options.now ?? Date.now)() / 1000);
    return signJwt(
      { alg: algorithm, kid: this.#apiKeyId, typ: "JWT", nonce: randomHex(16) },
      {
        sub: this.#apiKeyId,
        iss: "cdp",
        aud: ["cdp_service"],
        uris: [uri],
        iat: now,
        nbf: now,
        exp: now + (this.#options.jwtExpiresInSeconds ?? 120),
      },
      key,
      algorithm,
    );
  }

  async #walletJwt(uri: string, json: string): Promise<string> {
    const key = await this.#walletKey;
    const now = Math.floor((this.#options.now ?? Date.now)() / 1000);
    const claims: Record<string, unknown> = { uris: [uri], iat: now, nbf: now, jti: randomHex(16) };
    if (json !== "{}") claims.reqHash = await sha256Hex(json);
    return signJwt({ alg: "ES256", typ: "JWT" }, claims, key, "ES256");
  }

  /** The configured account address. */
  async getAddress(): Promise<string | null> {
    return this.#address;
  }

  /** `provider: "coinbase-cdp"`, the account address. */
  async getWalletMetadata(): Promise<WalletMetadata | null> {
    return {
      address: this.#address,
      provider: "coinbase-cdp",
      chainType: "ethereum",
      caip2: this.#options.caip2 ?? null,
      label: this.#options.label ?? null,
    };
  }

  /** EVM chains (`eip155:*`); only the configured chain when `caip2` was given. */
  supportsCaip2(caip2: string): boolean {
    if (typeof caip2 !== "string" || !isEip155Caip2(caip2)) return false;
    const configured = this.#options.caip2;
    return configured ? configured.toLowerCase() === caip2.toLowerCase() : true;
  }
}

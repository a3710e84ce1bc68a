/**
 * A connector for a Coinbase Developer Platform (CDP) Server Wallet v2 EVM account, through the CDP REST API
 * (`https://api.cdp.coinbase.com/platform/v2/evm/accounts/{address}/...`):
 * - text challenges: `POST .../sign/message` `{ message }` (EIP-191 over the UTF-8 text);
 * - raw-byte challenges: `POST .../sign` `{ hash }` with the EIP-191 digest of the bytes (computed with viem,
 *   an optional peer loaded lazily), which yields the same signature as `personal_sign` of those bytes;
 * - EIP-712 challenges: `POST .../sign/typed-data` `{ domain, types, primaryType, message }`;
 * - transactions: `POST .../sign/transaction` `{ transaction }` (the unsigned RLP, serialised with viem).
 *
 * Every request carries a bearer JWT signed with the API key and an `X-Wallet-Auth` JWT signed with the Wallet
 * Secret (`coinbase-auth.ts`, with jose); the body is sorted-key JSON, exactly the bytes hashed into `reqHash`.
 */
import type { CryptoKey } from "jose";
import { ConfigurationError } from "../errors.js";
import type { FetchExecutor } from "../transport/http-transport.js";
import { sha256Hex } from "../util/hash.js";
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
  supportsEvmCaip2,
  typedDataToWire,
  withEip712DomainType,
} from "./challenge.js";
import {
  type CdpApiKey,
  importCdpApiKey,
  importCdpWalletSecret,
  signCdpBearerJwt,
  signCdpWalletJwt,
} from "./coinbase-auth.js";
import { toTransactionSerializable } from "./local-key-connector.js";
import { isRecord, type Provider, providerRequest, requireOption, resolveFetch } from "./provider-request.js";
import { NotSupportedError, WalletProviderError } from "./wallet-errors.js";

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

/** A UUID (version 4 layout) from SHA-256 of `seed`: the same seed always gives the same UUID. */
const uuidFromSeed = async (seed: string): Promise<string> => {
  const hex = await sha256Hex(seed);
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
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
  readonly #apiKey: Promise<CdpApiKey>;
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
    this.#apiKey = importCdpApiKey(apiKeySecret);
    this.#walletKey = importCdpWalletSecret(walletSecret);
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
    const now = Math.floor((this.#options.now ?? Date.now)() / 1000);
    const expiresIn = this.#options.jwtExpiresInSeconds ?? 120;
    const headers: Record<string, string> = {
      authorization: `Bearer ${await signCdpBearerJwt(await this.#apiKey, this.#apiKeyId, uri, now, expiresIn)}`,
      "x-wallet-auth": await signCdpWalletJwt(await this.#walletKey, uri, json, now),
      "content-type": "application/json",
    };
    if (idempotencyKey) headers["x-idempotency-key"] = idempotencyKey;

    return providerRequest(CDP, this.#fetch, url.href, { method: "POST", headers, body: json });
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
    return supportsEvmCaip2(caip2, this.#options.caip2);
  }
}

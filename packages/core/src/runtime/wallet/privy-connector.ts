/**
 * A connector for a Privy server wallet, through Privy's REST API (`POST /v1/wallets/{wallet_id}/rpc`):
 * `personal_sign` for text and raw-byte challenges (EIP-191), `eth_signTypedData_v4` for EIP-712.
 *
 * Authentication is HTTP basic `appId:appSecret` plus the `privy-app-id` header. When the wallet has an owner
 * (an authorization key), pass `authorizationPrivateKey` (`wallet-auth:<base64 PKCS#8 P-256 key>`, as the Privy
 * dashboard shows it): each request then carries `privy-authorization-signature`, an ECDSA P-256 / SHA-256
 * signature (DER, base64) over the RFC 8785 canonical JSON of `{ version: 1, method, url, body, headers }`, where
 * `headers` holds the `privy-app-id` and, when sent, `privy-idempotency-key`.
 */
import type { CryptoKey } from "jose";
import type { FetchExecutor } from "../transport/http-transport.js";
import type {
  AgentChallengeInput,
  SignableMessage,
  TypedDataDefinition,
  WalletConnector,
  WalletMetadata,
} from "./base-connector.js";
import {
  challengeToSignable,
  isHexBytes,
  rawMessageHex,
  supportsEvmCaip2,
  typedDataToWire,
  withEip712DomainType,
} from "./challenge.js";
import { importPrivyAuthorizationKey, signPrivyRequest } from "./privy-authorization.js";
import { toBase64 } from "./provider-keys.js";
import { isRecord, type Provider, providerRequest, requireOption, resolveFetch } from "./provider-request.js";
import { WalletProviderError } from "./wallet-errors.js";

/** Privy's API. */
export const PRIVY_API_BASE_URL = "https://api.privy.io";

/** Options of `PrivyEip191Connector`. */
export interface PrivyEip191ConnectorOptions {
  /** Privy app id (also sent as `privy-app-id`). */
  appId: string;
  /** Privy app secret. A secret: never log it. */
  appSecret: string;
  /** The server wallet's id (not its address). */
  walletId: string;
  /** The wallet's address; looked up with `GET /v1/wallets/{wallet_id}` when omitted. */
  address?: string | null;
  /** Authorization key of the wallet's owner, `wallet-auth:<base64 PKCS#8>`. Required when the wallet has an owner. */
  authorizationPrivateKey?: string;
  /** Default `https://api.privy.io`. */
  baseUrl?: string;
  /** Default `globalThis.fetch`. */
  fetch?: FetchExecutor;
  /** Restricts `supportsCaip2` to one chain. */
  caip2?: string | null;
  label?: string | null;
}

/** Privy's error body (`{ error }` or `{ message }`, sometimes `code`) and what to check for each status. */
const PRIVY: Provider = {
  id: "privy",
  name: "Privy",
  host: "api.privy.io",
  refusal: (data, status) => ({
    message:
      isRecord(data) && typeof data.error === "string"
        ? data.error
        : isRecord(data) && typeof data.message === "string"
          ? data.message
          : undefined,
    code: isRecord(data) && typeof data.code === "string" ? data.code : undefined,
    hint:
      status === 401
        ? "Check appId and appSecret (HTTP basic auth) and the privy-app-id."
        : status === 403
          ? "The wallet may have an owner: pass its authorizationPrivateKey (wallet-auth:...), or check the wallet's policies."
          : "See Privy's error message and the dashboard logs.",
  }),
};

const requireString = (name: string, value: unknown, hint: string) =>
  requireOption("PrivyEip191Connector", name, value, hint);

/** Signs challenges, messages and typed data with a Privy server wallet (EVM). */
export class PrivyEip191Connector implements WalletConnector {
  readonly #appId: string;
  readonly #basicAuth: string;
  readonly #walletId: string;
  readonly #baseUrl: string;
  readonly #fetch: FetchExecutor;
  readonly #options: PrivyEip191ConnectorOptions;
  readonly #authorizationKey: Promise<CryptoKey> | null;
  #address: string | null;

  constructor(options: PrivyEip191ConnectorOptions) {
    this.#appId = requireString("appId", options?.appId, "Pass the Privy app id (PRIVY_APP_ID).");
    const appSecret = requireString(
      "appSecret",
      options.appSecret,
      "Pass the Privy app secret (PRIVY_APP_SECRET).",
    );
    this.#walletId = requireString("walletId", options.walletId, "Pass the id of the Privy server wallet.");
    this.#basicAuth = `Basic ${toBase64(new TextEncoder().encode(`${this.#appId}:${appSecret}`))}`;
    this.#baseUrl = (options.baseUrl ?? PRIVY_API_BASE_URL).replace(/\/+$/, "");
    this.#fetch = resolveFetch(options.fetch);
    this.#options = options;
    this.#address = options.address ?? null;
    this.#authorizationKey = options.authorizationPrivateKey
      ? importPrivyAuthorizationKey(options.authorizationPrivateKey)
      : null;
    // Surface a malformed key when it is used, not as an unhandled rejection now.
    this.#authorizationKey?.catch(() => {});
  }

  /** Signs the challenge: text/raw bytes with `personal_sign`, typed data with `eth_signTypedData_v4`. */
  async signChallenge(challenge: AgentChallengeInput): Promise<string> {
    const signable = challengeToSignable(challenge);
    const idempotencyKey = `lucid-challenge-${String((challenge as { id?: unknown }).id ?? "")}`;
    if (signable.kind === "typed_data") return this.#signTypedData(signable.typedData, idempotencyKey);
    if (signable.kind === "raw") return this.#personalSign(signable.hex, idempotencyKey);
    return this.#personalSign(signable.message, idempotencyKey);
  }

  /** Signs an EIP-191 personal message (`personal_sign`). */
  async signMessage(message: SignableMessage): Promise<string> {
    if (typeof message === "string") return this.#personalSign(message);
    return this.#personalSign(rawMessageHex(message.raw));
  }

  /** Signs EIP-712 typed data (`eth_signTypedData_v4`). */
  async signTypedData(typedData: TypedDataDefinition): Promise<string> {
    return this.#signTypedData(typedData);
  }

  async #personalSign(message: string, idempotencyKey?: string): Promise<string> {
    // A 0x-hex text means raw bytes; Privy takes them as hex digits with `encoding: "hex"`.
    const params = isHexBytes(message)
      ? { message: message.slice(2), encoding: "hex" }
      : { message, encoding: "utf-8" };
    return this.#rpc({ method: "personal_sign", params }, idempotencyKey);
  }

  async #signTypedData(typedData: TypedDataDefinition, idempotencyKey?: string): Promise<string> {
    const wire = typedDataToWire(withEip712DomainType(typedData));
    return this.#rpc({ method: "eth_signTypedData_v4", params: { typed_data: wire } }, idempotencyKey);
  }

  async #rpc(body: Record<string, unknown>, idempotencyKey?: string): Promise<string> {
    const url = `${this.#baseUrl}/v1/wallets/${encodeURIComponent(this.#walletId)}/rpc`;
    const privyHeaders: Record<string, string> = { "privy-app-id": this.#appId };
    if (idempotencyKey) privyHeaders["privy-idempotency-key"] = idempotencyKey;
    const headers: Record<string, string> = {
      ...privyHeaders,
      authorization: this.#basicAuth,
      "content-type": "application/json",
    };
    if (this.#authorizationKey) {
      const key = await this.#authorizationKey;
      headers["privy-authorization-signature"] = await signPrivyRequest(key, {
        url,
        body,
        headers: privyHeaders,
      });
    }
    const data = await this.#send(url, { method: "POST", headers, body: JSON.stringify(body) });
    const signature = isRecord(data) && isRecord(data.data) ? data.data.signature : undefined;
    if (typeof signature !== "string" || !isHexBytes(signature)) {
      throw new WalletProviderError("Privy's response has no 0x-hex signature (data.signature).", {
        provider: "privy",
        hint: "Check that baseUrl points at the Privy API and the wallet is an Ethereum wallet.",
      });
    }
    return signature;
  }

  #send(url: string, init: RequestInit): Promise<unknown> {
    return providerRequest(PRIVY, this.#fetch, url, init);
  }

  /** The wallet address: the option, else `GET /v1/wallets/{wallet_id}` (cached). */
  async getAddress(): Promise<string | null> {
    if (this.#address) return this.#address;
    const url = `${this.#baseUrl}/v1/wallets/${encodeURIComponent(this.#walletId)}`;
    const data = await this.#send(url, {
      method: "GET",
      headers: { authorization: this.#basicAuth, "privy-app-id": this.#appId },
    });
    this.#address = isRecord(data) && typeof data.address === "string" ? data.address : null;
    return this.#address;
  }

  /** `provider: "privy"`, the wallet id and (when known) its address. */
  async getWalletMetadata(): Promise<WalletMetadata | null> {
    return {
      id: this.#walletId,
      address: this.#address,
      provider: "privy",
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

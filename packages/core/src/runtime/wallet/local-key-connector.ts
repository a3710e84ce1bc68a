/**
 * A connector for a key held by this process: either the original package's `LocalEoaSigner`
 * (`signMessage(message)`), or any viem `LocalAccount`-compatible account (`address`, `signMessage({ message })`,
 * `signTypedData(...)`, `signTransaction(tx)`), e.g. `privateKeyToAccount(key)` or a CDP server account.
 *
 * viem is an optional peer: this module only imports it lazily, in `createLocalEoaWalletConnector`.
 */
import { ChallengeFailedError, ConfigurationError } from "../errors.js";
import type {
  AgentChallengeInput,
  Hex,
  QuantityLike,
  SignableMessage,
  TransactionInput,
  TypedDataDefinition,
  TypedDataPayload,
  WalletConnector,
  WalletMetadata,
} from "./base-connector.js";
import {
  challengeToSignable,
  hexToBytes,
  isEip155Caip2,
  isHexBytes,
  supportsEvmCaip2,
  typedDataToWire,
} from "./challenge.js";
import { NotSupportedError } from "./wallet-errors.js";

/** The original package's signer interface: a function that signs, with optional typed data and address. */
export interface LocalEoaSigner {
  /** Signs an EIP-191 personal message: text as UTF-8, a byte array as raw bytes. */
  signMessage(message: string | Uint8Array): Promise<string>;
  /** Signs EIP-712 typed data given in the wire shape (`primary_type`). */
  signTypedData?(payload: TypedDataPayload): Promise<string>;
  /** Signs an EVM transaction; resolves to the serialised signed transaction. */
  signTransaction?(transaction: TransactionInput): Promise<string>;
  getAddress?(): Promise<string | null>;
}

/** A viem `LocalAccount`-compatible account (structural; viem's own type fits). */
export interface LocalAccountLike {
  address: string;
  type?: string;
  signMessage(parameters: { message: SignableMessage }): Promise<string>;
  signTypedData(parameters: TypedDataDefinition): Promise<string>;
  signTransaction?(transaction: Record<string, unknown>, options?: never): Promise<string>;
}

/** Options of `LocalEoaWalletConnector`. */
export interface LocalEoaWalletConnectorOptions {
  /** The key: a `LocalEoaSigner`, or a viem `LocalAccount`-compatible account. */
  signer: LocalEoaSigner | LocalAccountLike;
  /** The address, when the signer cannot tell it. */
  address?: string | null;
  /** Restricts `supportsCaip2` to this chain (e.g. `eip155:8453`) and is the default chain id of transactions. */
  caip2?: string | null;
  chain?: string | null;
  chainType?: string | null;
  provider?: string | null;
  label?: string | null;
}

const isLocalAccountLike = (signer: LocalEoaSigner | LocalAccountLike): signer is LocalAccountLike => {
  const candidate = signer as Partial<LocalAccountLike> & { sign?: unknown };
  if (typeof candidate.address !== "string") return false;
  return (
    candidate.type === "local" ||
    typeof candidate.signTransaction === "function" ||
    typeof candidate.sign === "function"
  );
};

const toBigInt = (field: string, value: QuantityLike): bigint => {
  try {
    if (typeof value === "bigint") return value;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("not a safe non-negative integer");
      return BigInt(value);
    }
    const text = value.trim();
    if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) throw new RangeError("not a decimal or 0x-hex integer");
    return BigInt(text);
  } catch (cause) {
    throw new ConfigurationError(`Transaction field "${field}" is not a valid integer.`, {
      hint: "Give integers as JSON numbers, decimal strings, 0x-hex strings or bigints.",
      cause,
    });
  }
};

const toSafeNumber = (field: string, value: QuantityLike): number => {
  const big = toBigInt(field, value);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ConfigurationError(`Transaction field "${field}" is too large.`, { hint: `Check "${field}".` });
  }
  return Number(big);
};

const TYPE_NAMES: Record<string, string> = {
  "0": "legacy",
  "1": "eip2930",
  "2": "eip1559",
  "0x0": "legacy",
  "0x1": "eip2930",
  "0x2": "eip1559",
  legacy: "legacy",
  eip2930: "eip2930",
  eip1559: "eip1559",
};

const chainIdFromCaip2 = (caip2: string | null | undefined): number | undefined => {
  if (!caip2 || !isEip155Caip2(caip2)) return undefined;
  const id = Number(caip2.slice("eip155:".length));
  return Number.isSafeInteger(id) ? id : undefined;
};

/**
 * Converts a transaction with wire spellings (snake_case, numbers as strings, `type` 0/1/2) into viem's
 * `TransactionSerializable` shape (camelCase, bigints, `type` names). `from` is dropped (the key decides).
 * `defaultChainId` fills a missing chain id.
 */
export const toTransactionSerializable = (
  transaction: TransactionInput,
  defaultChainId?: number,
): Record<string, unknown> => {
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = transaction[key];
      if (value !== undefined && value !== null) return value as QuantityLike;
    }
    return undefined;
  };
  const out: Record<string, unknown> = {};
  if (transaction.to !== undefined) out.to = transaction.to;
  const data = transaction.data ?? transaction.input;
  if (data !== undefined) out.data = data;
  if (transaction.accessList !== undefined) out.accessList = transaction.accessList;
  const value = pick("value");
  if (value !== undefined) out.value = toBigInt("value", value);
  const gas = pick("gas", "gasLimit", "gas_limit");
  if (gas !== undefined) out.gas = toBigInt("gas", gas);
  const gasPrice = pick("gasPrice", "gas_price");
  if (gasPrice !== undefined) out.gasPrice = toBigInt("gasPrice", gasPrice);
  const maxFee = pick("maxFeePerGas", "max_fee_per_gas");
  if (maxFee !== undefined) out.maxFeePerGas = toBigInt("maxFeePerGas", maxFee);
  const maxPriority = pick("maxPriorityFeePerGas", "max_priority_fee_per_gas");
  if (maxPriority !== undefined) out.maxPriorityFeePerGas = toBigInt("maxPriorityFeePerGas", maxPriority);
  const nonce = pick("nonce");
  if (nonce !== undefined) out.nonce = toSafeNumber("nonce", nonce);
  const chainId = pick("chainId", "chain_id");
  if (chainId !== undefined) out.chainId = toSafeNumber("chainId", chainId);
  else if (defaultChainId !== undefined) out.chainId = defaultChainId;
  if (transaction.type !== undefined && transaction.type !== null) {
    const name = TYPE_NAMES[String(transaction.type)];
    if (!name) {
      throw new ConfigurationError(`Transaction type ${String(transaction.type)} is not supported.`, {
        hint: "Use 0 (legacy), 1 (eip2930) or 2 (eip1559).",
      });
    }
    out.type = name;
  }
  return out;
};

/** Signs challenges, messages, typed data and transactions with a key held by this process. */
export class LocalEoaWalletConnector implements WalletConnector {
  readonly #signer: LocalEoaSigner | LocalAccountLike;
  readonly #isAccount: boolean;
  readonly #options: LocalEoaWalletConnectorOptions;
  #address: string | null;

  constructor(options: LocalEoaWalletConnectorOptions) {
    if (!options || typeof options.signer !== "object" || options.signer === null) {
      throw new ConfigurationError("LocalEoaWalletConnector needs a signer.", {
        hint: "Pass { signer } with a viem LocalAccount (privateKeyToAccount(key)) or a LocalEoaSigner.",
      });
    }
    if (typeof options.signer.signMessage !== "function") {
      throw new ConfigurationError("LocalEoaWalletConnector's signer has no signMessage function.", {
        hint: "Pass a viem LocalAccount or an object with signMessage(message).",
      });
    }
    this.#signer = options.signer;
    this.#isAccount = isLocalAccountLike(options.signer);
    this.#options = options;
    this.#address =
      options.address ?? (this.#isAccount ? (options.signer as LocalAccountLike).address : null);
  }

  /** Signs the login challenge: text, raw bytes or EIP-712, per the wire rules. */
  async signChallenge(challenge: AgentChallengeInput): Promise<string> {
    const signable = challengeToSignable(challenge);
    switch (signable.kind) {
      case "message":
        return this.signMessage(signable.message);
      case "raw":
        return this.signMessage({ raw: signable.hex });
      case "typed_data":
        if (!this.#isAccount && typeof (this.#signer as LocalEoaSigner).signTypedData !== "function") {
          throw new ChallengeFailedError(
            "The challenge asks for EIP-712 typed data, but the signer cannot sign it.",
            {
              hint: "Give LocalEoaWalletConnector a signer with signTypedData(payload), or a viem LocalAccount.",
            },
          );
        }
        return this.signTypedData(signable.typedData);
    }
  }

  /** Signs an EIP-191 personal message: text as UTF-8, `{ raw }` as bytes. */
  async signMessage(message: SignableMessage): Promise<string> {
    if (this.#isAccount) {
      return (this.#signer as LocalAccountLike).signMessage({ message });
    }
    const signer = this.#signer as LocalEoaSigner;
    if (typeof message === "string") return signer.signMessage(message);
    const raw = message.raw;
    if (typeof raw === "string") {
      if (!isHexBytes(raw)) {
        throw new ConfigurationError("signMessage({ raw }) needs 0x-hex of whole bytes.", {
          hint: "Pass raw bytes as a Uint8Array or an even-length 0x-hex string.",
        });
      }
      return signer.signMessage(hexToBytes(raw));
    }
    return signer.signMessage(raw);
  }

  /** Signs EIP-712 typed data (viem shape, `primaryType`). */
  async signTypedData(typedData: TypedDataDefinition): Promise<string> {
    if (this.#isAccount) {
      return (this.#signer as LocalAccountLike).signTypedData(typedData);
    }
    const signer = this.#signer as LocalEoaSigner;
    if (typeof signer.signTypedData !== "function") {
      throw new NotSupportedError(
        "This LocalEoaSigner cannot sign EIP-712 typed data (it has no signTypedData).",
        {
          hint: "Add signTypedData(payload) to the signer, or use a viem LocalAccount.",
        },
      );
    }
    return signer.signTypedData(typedDataToWire(typedData));
  }

  /**
   * Signs an EVM transaction and resolves to the serialised signed transaction. Wire spellings are converted
   * to viem's (`toTransactionSerializable`); a missing chain id comes from the configured `caip2`.
   */
  async signTransaction(transaction: TransactionInput): Promise<string> {
    const signTransaction = this.#isAccount
      ? (this.#signer as LocalAccountLike).signTransaction
      : (this.#signer as LocalEoaSigner).signTransaction;
    if (typeof signTransaction !== "function") {
      throw new NotSupportedError("This signer cannot sign transactions (it has no signTransaction).", {
        hint: "Use a viem LocalAccount (privateKeyToAccount) or add signTransaction(tx) to the signer.",
      });
    }
    const serializable = toTransactionSerializable(transaction, chainIdFromCaip2(this.#options.caip2));
    if (serializable.chainId === undefined) {
      throw new ConfigurationError("The transaction has no chainId.", {
        hint: "Set chainId on the transaction or caip2 (e.g. eip155:8453) on the connector, so the signature is replay-protected (EIP-155).",
      });
    }
    return signTransaction.call(this.#signer, serializable as never);
  }

  /** The address: the option, the account's, or the signer's `getAddress()` (cached). */
  async getAddress(): Promise<string | null> {
    if (this.#address) return this.#address;
    const signer = this.#signer as LocalEoaSigner;
    if (typeof signer.getAddress === "function") {
      this.#address = (await signer.getAddress()) ?? null;
    }
    return this.#address;
  }

  /** Local wallet metadata (`provider: "local"`, `chainType: "ethereum"` unless configured). */
  async getWalletMetadata(): Promise<WalletMetadata | null> {
    return {
      address: await this.getAddress(),
      caip2: this.#options.caip2 ?? null,
      chain: this.#options.chain ?? null,
      chainType: this.#options.chainType ?? "ethereum",
      provider: this.#options.provider ?? "local",
      label: this.#options.label ?? null,
    };
  }

  /** EVM chains only (`eip155:*`); only the configured chain when `caip2` was given. */
  supportsCaip2(caip2: string): boolean {
    return supportsEvmCaip2(caip2, this.#options.caip2);
  }
}

/** Options of `createLocalEoaWalletConnector`. */
export interface CreateLocalEoaWalletConnectorOptions extends Omit<LocalEoaWalletConnectorOptions, "signer"> {
  /** A 32-byte secp256k1 private key as 0x-hex. A secret: never log it. */
  privateKey: string;
}

/**
 * A `LocalEoaWalletConnector` for a raw private key, via viem's `privateKeyToAccount` (imported lazily; viem
 * must be installed). Throws `ConfigurationError` for a malformed key (without echoing it) and
 * `NotSupportedError` when viem is not installed.
 */
export const createLocalEoaWalletConnector = async (
  options: CreateLocalEoaWalletConnectorOptions,
): Promise<LocalEoaWalletConnector> => {
  const { privateKey, ...rest } = options;
  const key = typeof privateKey === "string" ? privateKey.trim() : "";
  const normalised = /^[0-9a-fA-F]{64}$/.test(key) ? `0x${key}` : key;
  if (!/^0x[0-9a-fA-F]{64}$/.test(normalised)) {
    throw new ConfigurationError("The private key is not 32 bytes of hex.", {
      hint: "Pass the key as 0x followed by 64 hex digits (the value itself is not shown here).",
    });
  }
  let privateKeyToAccount: (key: Hex) => LocalAccountLike;
  try {
    ({ privateKeyToAccount } = await import("viem/accounts"));
  } catch (cause) {
    throw new NotSupportedError("createLocalEoaWalletConnector needs viem, which is not installed.", {
      hint: "Install the optional peer dependency: npm install viem",
      cause,
    });
  }
  return new LocalEoaWalletConnector({ ...rest, signer: privateKeyToAccount(normalised as Hex) });
};

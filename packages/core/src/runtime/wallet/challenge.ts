/**
 * Challenge helpers shared by every connector: deciding exactly what a wallet signs, and reading signatures and wallet metadata out of responses.
 *
 * What is signed (the wire rules): a string payload is signed as it is; an object's `message` string (or
 * `payload` string, or `parts` joined) is the text; a 0x-hex text is signed as raw bytes (EIP-191); a
 * `typed_data` (or `typedData`) object is signed as EIP-712; with no payload at all, the `payload_hash` bytes
 * are signed. `primary_type` (wire) becomes `primaryType` (viem) here and nowhere else.
 */
import { ChallengeFailedError, ConfigurationError } from "../errors.js";

export { stableJsonStringify } from "../util/stable-json.js";

import type {
  AgentChallengeInput,
  Hex,
  TypedDataDefinition,
  TypedDataField,
  TypedDataPayload,
  WalletMetadata,
} from "./base-connector.js";

/** How a text is signed: as UTF-8 text, or as the raw bytes of a 0x-hex string. */
export type ChallengeMessageEncoding = "utf-8" | "hex";

/** Exactly what a wallet must sign for a challenge. */
export type ChallengeSignable =
  | { kind: "message"; message: string }
  | { kind: "raw"; hex: Hex }
  | { kind: "typed_data"; typedData: TypedDataDefinition };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/** True when `value` is 0x-prefixed hex with an even number (at least two) of digits. */
export const isHexBytes = (value: string): value is Hex => HEX_BYTES.test(value);

/**
 * `"hex"` when `message` is 0x-prefixed hex of whole bytes (its bytes are signed), `"utf-8"` otherwise (the
 * text is signed). The wire's `encoding` field of `sign-message` takes this value.
 */
export const detectMessageEncoding = (message: string): ChallengeMessageEncoding =>
  isHexBytes(message) ? "hex" : "utf-8";

/** The bytes of a 0x-hex string. */
export const hexToBytes = (hex: string): Uint8Array => {
  if (!isHexBytes(hex)) throw new TypeError("Expected 0x-prefixed hex of whole bytes.");
  const bytes = new Uint8Array((hex.length - 2) / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(2 + index * 2, 4 + index * 2), 16);
  }
  return bytes;
};

/** 0x-hex of `bytes`. */
export const bytesToHex = (bytes: Uint8Array): Hex => {
  let hex = "0x";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex as Hex;
};

/** The bytes of a `{ raw }` message as 0x-hex; a `ConfigurationError` unless they are whole bytes. */
export const rawMessageHex = (raw: Hex | Uint8Array): Hex => {
  const hex = typeof raw === "string" ? raw : bytesToHex(raw);
  if (!isHexBytes(hex)) {
    throw new ConfigurationError("signMessage({ raw }) needs 0x-hex of whole bytes.", {
      hint: "Pass raw bytes as a Uint8Array or an even-length 0x-hex string.",
    });
  }
  return hex;
};

const resolveText = (payload: unknown): string | null => {
  if (typeof payload === "string") return payload;
  if (!isRecord(payload)) return null;
  if (typeof payload.message === "string") return payload.message;
  if (typeof payload.payload === "string") return payload.payload;
  if (Array.isArray(payload.parts)) {
    const joined = payload.parts
      .map((part) => {
        if (typeof part === "string") return part;
        if (isRecord(part) && "text" in part) return String(part.text ?? "");
        return "";
      })
      .join("");
    if (joined) return joined;
  }
  return null;
};

const looksLikeTypedData = (value: unknown): value is Record<string, unknown> =>
  isRecord(value) &&
  isRecord(value.types) &&
  (typeof value.primary_type === "string" || typeof value.primaryType === "string") &&
  isRecord(value.message);

/** The typed-data object inside a payload, if the payload asks for EIP-712. */
const findTypedData = (payload: unknown): unknown => {
  if (!isRecord(payload)) return undefined;
  if (payload.typed_data !== undefined) return payload.typed_data;
  if (payload.typedData !== undefined) return payload.typedData;
  if (payload.type === "typed_data") return null;
  if (looksLikeTypedData(payload)) return payload;
  return undefined;
};

const normaliseQuantity = (value: unknown): unknown => {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) return value;
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
};

const typedDataError = (problem: string) =>
  new ChallengeFailedError(`The challenge's typed_data payload is malformed: ${problem}.`, {
    hint: "EIP-712 payloads need `domain` (object), `types` (object of {name, type} arrays), `primary_type` (a key of types) and `message` (object).",
  });

/**
 * Converts wire (`primary_type`) or viem (`primaryType`) typed data into viem's shape, validating it. A numeric
 * string `domain.chainId` becomes a number (a bigint above 2^53), as viem derives the domain type from it.
 * An explicit `EIP712Domain` entry in `types` is kept (viem honours it).
 */
export const toTypedDataDefinition = (value: unknown): TypedDataDefinition => {
  if (!isRecord(value)) throw typedDataError("it is not an object");
  const domainValue = value.domain ?? {};
  if (!isRecord(domainValue)) throw typedDataError("`domain` is not an object");
  const domain: Record<string, unknown> = { ...domainValue };
  if (domain.chainId !== undefined) domain.chainId = normaliseQuantity(domain.chainId);
  if (!isRecord(value.types)) throw typedDataError("`types` is not an object");
  const types: Record<string, TypedDataField[]> = {};
  for (const [name, fields] of Object.entries(value.types)) {
    if (!Array.isArray(fields)) throw typedDataError(`types.${name} is not an array`);
    types[name] = fields.map((field, index) => {
      if (!isRecord(field) || typeof field.name !== "string" || typeof field.type !== "string") {
        throw typedDataError(`types.${name}[${index}] is not a {name, type} pair of strings`);
      }
      return { name: field.name, type: field.type };
    });
  }
  const primaryType = value.primaryType ?? value.primary_type;
  if (typeof primaryType !== "string" || primaryType === "")
    throw typedDataError("`primary_type` is missing");
  if (primaryType !== "EIP712Domain" && !(primaryType in types)) {
    throw typedDataError(`primary_type "${primaryType}" is not defined in types`);
  }
  if (!isRecord(value.message)) throw typedDataError("`message` is not an object");
  return { domain, types, primaryType, message: value.message };
};

const jsonSafe = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (isRecord(value))
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonSafe(entry)]));
  return value;
};

/** viem-shaped typed data to the wire shape (`primary_type`), JSON-safe (bigints become decimal strings). */
export const typedDataToWire = (typedData: TypedDataDefinition): TypedDataPayload => ({
  domain: jsonSafe(typedData.domain ?? {}) as Record<string, unknown>,
  types: typedData.types,
  primary_type: typedData.primaryType,
  message: jsonSafe(typedData.message) as Record<string, unknown>,
});

/**
 * Adds the `EIP712Domain` type derived from the domain (viem's rule: `name`, `version`, `chainId`,
 * `verifyingContract`, `salt`, when present) unless `types` already has one. Remote signers that hash like
 * `eth_signTypedData_v4` need it spelled out to compute the same digest as viem.
 */
export const withEip712DomainType = (typedData: TypedDataDefinition): TypedDataDefinition => {
  if ("EIP712Domain" in typedData.types) return typedData;
  const domain = typedData.domain ?? {};
  const fields: TypedDataField[] = [];
  if (typeof domain.name === "string") fields.push({ name: "name", type: "string" });
  if (domain.version) fields.push({ name: "version", type: "string" });
  if (typeof domain.chainId === "number" || typeof domain.chainId === "bigint") {
    fields.push({ name: "chainId", type: "uint256" });
  }
  if (domain.verifyingContract) fields.push({ name: "verifyingContract", type: "address" });
  if (domain.salt) fields.push({ name: "salt", type: "bytes32" });
  return { ...typedData, types: { EIP712Domain: fields, ...typedData.types } };
};

const textSignable = (text: string): ChallengeSignable =>
  isHexBytes(text) ? { kind: "raw", hex: text } : { kind: "message", message: text };

/**
 * Exactly what the wallet signs for `challenge`, following the wire rules (see the module comment). Throws
 * `ChallengeFailedError` when the payload cannot be signed (an unknown shape, an empty message, malformed
 * typed data, or neither a payload nor a hex `payload_hash`).
 */
export const challengeToSignable = (challenge: AgentChallengeInput): ChallengeSignable => {
  const raw = challenge as unknown as Record<string, unknown>;
  const payload = raw.payload;
  if (payload === undefined || payload === null) {
    const hash = raw.payload_hash;
    if (typeof hash === "string" && isHexBytes(hash)) return { kind: "raw", hex: hash };
    throw new ChallengeFailedError("The challenge has neither a payload nor a hex payload_hash to sign.", {
      hint: "Check the server version: challenges must carry `payload` or a 0x-hex `payload_hash`.",
    });
  }
  const typed = findTypedData(payload);
  if (typed !== undefined) {
    if (typed === null) throw typedDataError("`typed_data` is missing");
    return { kind: "typed_data", typedData: toTypedDataDefinition(typed) };
  }
  const text = resolveText(payload);
  if (text === null) {
    const shape = isRecord(payload)
      ? `an object with keys ${Object.keys(payload).join(", ") || "(none)"}`
      : typeof payload;
    throw new ChallengeFailedError(`The challenge payload cannot be signed: it is ${shape}.`, {
      hint: "Supported payloads: a string, { message }, { payload }, { parts }, or { typed_data } (EIP-712).",
    });
  }
  if (text === "") {
    throw new ChallengeFailedError("The challenge payload's message is empty.", {
      hint: "The server must send a non-empty message to sign.",
    });
  }
  return textSignable(text);
};

/**
 * The signature inside a signing response: a string body, `signed` (string or `{ signature }`),
 * `signature`, or `data.signature` (Privy). `null` when there is none.
 */
export const extractSignature = (payload: unknown): string | null => {
  if (!payload) return null;
  if (typeof payload === "string") return payload;
  if (!isRecord(payload)) return null;
  const candidate = payload.signed ?? payload.signature ?? payload.data;
  if (typeof candidate === "string") return candidate;
  if (isRecord(candidate) && typeof candidate.signature === "string") return candidate.signature;
  return null;
};

const stringOrNull = (value: unknown) => (typeof value === "string" ? value : null);

/**
 * Wallet metadata from a Lucid wallet response (`{ account, wallet }`): id, address, chain, chainType, provider,
 * caip2, accountId and label (the account's display name, else the wallet's label). `null` without `wallet`.
 */
export const extractWalletMetadata = (payload: unknown): WalletMetadata | null => {
  if (!isRecord(payload) || !isRecord(payload.wallet)) return null;
  const wallet = payload.wallet;
  const account = isRecord(payload.account) ? payload.account : undefined;
  return {
    id: stringOrNull(wallet.id),
    address: stringOrNull(wallet.address),
    chain: stringOrNull(wallet.chain),
    chainType: stringOrNull(wallet.chainType),
    provider: stringOrNull(wallet.provider),
    caip2: stringOrNull(wallet.caip2),
    accountId: stringOrNull(account?.id),
    label: stringOrNull(account?.displayName) ?? stringOrNull(wallet.label),
  };
};

const CAIP2_EIP155 = /^eip155:[1-9][0-9]*$/;

/** True for a CAIP-2 id of an EVM chain (`eip155:<positive chain id>`). */
export const isEip155Caip2 = (caip2: string): boolean => CAIP2_EIP155.test(caip2);

/**
 * `supportsCaip2` of an EVM connector: any `eip155:*` chain, or only `configured` (case-insensitively) when the
 * connector was given one.
 */
export const supportsEvmCaip2 = (caip2: unknown, configured: string | null | undefined): boolean => {
  if (typeof caip2 !== "string" || !isEip155Caip2(caip2)) return false;
  return configured ? configured.toLowerCase() === caip2.toLowerCase() : true;
};

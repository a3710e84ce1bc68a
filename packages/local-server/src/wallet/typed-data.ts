import type { zTypedData } from "@lucid-dreams/sdk/zod";
import type { TypedDataDefinition } from "viem";
import { invalidRequest } from "../http/http-error.js";

/** EIP-712 typed data as it arrives on the wire (`TypedData`: `primary_type`, integers maybe as strings). */
export type WireTypedData = ReturnType<typeof zTypedData.parse>;

type Fields = Record<string, readonly { name: string; type: string }[]>;

const INTEGER_TYPE = /^(u?)int(\d*)$/;
const ARRAY_TYPE = /^(.+)\[(\d*)\]$/;

function fail(path: string, message: string): never {
  throw invalidRequest(`typed_data is not valid EIP-712 input at ${path}: ${message}`, [{ path, message }]);
}

function toInteger(value: unknown, signed: boolean, path: string): bigint {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) {
      fail(path, "Expected an integer; give integers above 2^53 as decimal or 0x-hex strings.");
    }
    if (!signed && value < 0) fail(path, "Expected a non-negative integer.");
    return BigInt(value);
  }
  if (typeof value === "string") {
    const pattern = signed ? /^(-?[0-9]+|0x[0-9a-fA-F]+)$/ : /^([0-9]+|0x[0-9a-fA-F]+)$/;
    if (pattern.test(value)) return BigInt(value);
  }
  return fail(
    path,
    `Expected ${signed ? "an" : "a non-negative"} integer as a JSON number, a decimal string or a 0x-hex string.`,
  );
}

function normalizeValue(types: Fields, type: string, value: unknown, path: string): unknown {
  const array = ARRAY_TYPE.exec(type);
  if (array) {
    if (!Array.isArray(value)) fail(path, `Expected an array for type ${type}.`);
    return value.map((item, index) => normalizeValue(types, array[1]!, item, `${path}.${index}`));
  }
  const integer = INTEGER_TYPE.exec(type);
  if (integer) return toInteger(value, integer[1] === "", path);
  const fields = types[type];
  if (fields) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      fail(path, `Expected an object for struct type ${type}.`);
    }
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = { ...source };
    for (const field of fields) {
      if (field.name in source) {
        out[field.name] = normalizeValue(types, field.type, source[field.name], `${path}.${field.name}`);
      }
    }
    return out;
  }
  return value;
}

/**
 * Converts wire typed data to viem's form: `primary_type` becomes `primaryType`, and integer fields given as
 * numbers or decimal/hex strings become bigints, following each field's declared type (nested structs and
 * arrays included). `types` may or may not list `EIP712Domain`; viem derives it from the domain when absent.
 */
export function toViemTypedData(wire: WireTypedData): TypedDataDefinition {
  const types = wire.types as Fields;
  const domain: Record<string, unknown> = { ...wire.domain };
  if (wire.domain.chainId !== undefined) {
    const chainId = toInteger(wire.domain.chainId, false, "typed_data.domain.chainId");
    domain.chainId = chainId <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(chainId) : chainId;
  }
  const message = normalizeValue(types, wire.primary_type, wire.message, "typed_data.message");
  return {
    domain,
    types,
    primaryType: wire.primary_type,
    message,
  } as unknown as TypedDataDefinition;
}

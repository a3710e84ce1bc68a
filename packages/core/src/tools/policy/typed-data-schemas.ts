/** The typed data the tools sign, parsed: own-property records only. */
export interface TypedDataInput {
  domain: Record<string, unknown>;
  types: Record<string, Array<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** An asset-moving EIP-712 schema the policy recognises, with who gets what. */
export interface AssetSchema {
  /** `EIP-2612 Permit`, `Permit2 PermitSingle`, `Seaport order`, `Safe transaction`, ... */
  name: string;
  /** One line naming spender/receiver and amounts, for the refusal and the preview. */
  details: string;
}

const own = (record: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;
const str = (value: unknown): string =>
  typeof value === "string" || typeof value === "number" || typeof value === "bigint"
    ? String(value)
    : (JSON.stringify(value ?? null)?.slice(0, 200) ?? "null");
const rec = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** EIP-3009 authorisations: refused by `signTypedData` always (payments go through a dedicated tool). */
export const EIP3009_TYPES: ReadonlySet<string> = new Set([
  "TransferWithAuthorization",
  "ReceiveWithAuthorization",
]);

/** Recognises the schemas that move or unlock assets, by primary type and fields. */
export function recogniseAssetSchema(data: TypedDataInput): AssetSchema | null {
  const m = data.message;
  const fields = new Set(
    (Object.hasOwn(data.types, data.primaryType) ? (data.types[data.primaryType] ?? []) : []).map(
      (f) => f.name,
    ),
  );
  switch (data.primaryType) {
    case "TransferWithAuthorization":
    case "ReceiveWithAuthorization":
      return {
        name: "EIP-3009 transfer authorisation",
        details: `sends ${str(own(m, "value"))} to ${str(own(m, "to"))}`,
      };
    case "Permit":
      if (fields.has("holder") || fields.has("allowed")) {
        return {
          name: "DAI Permit",
          details: `lets spender ${str(own(m, "spender"))} spend all of the holder's tokens (allowed: ${str(own(m, "allowed"))})`,
        };
      }
      return {
        name: "EIP-2612 Permit",
        details: `lets spender ${str(own(m, "spender"))} spend ${str(own(m, "value"))} (base units)`,
      };
    case "PermitSingle":
    case "PermitBatch": {
      const details = list(own(m, "details")).length ? list(own(m, "details")) : [own(m, "details")];
      const what = details
        .map((d) => `${str(own(rec(d), "amount"))} of ${str(own(rec(d), "token"))}`)
        .join(", ");
      return {
        name: `Permit2 ${data.primaryType}`,
        details: `lets spender ${str(own(m, "spender"))} spend ${what}`,
      };
    }
    case "PermitTransferFrom":
    case "PermitBatchTransferFrom":
    case "PermitWitnessTransferFrom":
    case "PermitBatchWitnessTransferFrom": {
      const permitted = list(own(m, "permitted")).length ? list(own(m, "permitted")) : [own(m, "permitted")];
      const what = permitted
        .map((p) => `${str(own(rec(p), "amount"))} of ${str(own(rec(p), "token"))}`)
        .join(", ");
      return {
        name: `Permit2 ${data.primaryType}`,
        details: `lets spender ${str(own(m, "spender"))} take ${what}`,
      };
    }
    case "OrderComponents": {
      const offer = list(own(m, "offer")).map(
        (o) => `${str(own(rec(o), "startAmount"))} of ${str(own(rec(o), "token"))}`,
      );
      const to = list(own(m, "consideration")).map(
        (c) =>
          `${str(own(rec(c), "startAmount"))} of ${str(own(rec(c), "token"))} to ${str(own(rec(c), "recipient"))}`,
      );
      return {
        name: "Seaport order",
        details: `offers ${offer.join(", ") || "nothing"} for ${to.join(", ") || "nothing"}`,
      };
    }
    case "SafeTx":
      return {
        name: "Safe transaction",
        details: `executes a call to ${str(own(m, "to"))} with value ${str(own(m, "value"))} and data ${str(own(m, "data")).slice(0, 74)} (operation ${str(own(m, "operation"))})`,
      };
    case "ForwardRequest":
      return {
        name: "ERC-2771 ForwardRequest",
        details: `executes a call from ${str(own(m, "from"))} to ${str(own(m, "to"))} with value ${str(own(m, "value"))} and data ${str(own(m, "data")).slice(0, 74)}`,
      };
    case "Order":
      if (fields.has("sellToken") || fields.has("receiver")) {
        return {
          name: "CoW Order",
          details: `sells ${str(own(m, "sellAmount"))} of ${str(own(m, "sellToken"))} for ${str(own(m, "buyAmount"))} of ${str(own(m, "buyToken"))}, paid to receiver ${str(own(m, "receiver"))}`,
        };
      }
      return null;
    default:
      return null;
  }
}

const APPROVAL_NAME = /permit|approv|allowance|delegat|authoriz/i;
const APPROVAL_FIELDS = new Set(["spender", "operator", "allowance", "approved", "delegatee", "delegate"]);

/** A primary type whose name or fields look like it moves or unlocks assets, though no known schema matched. */
export function looksAssetMoving(data: TypedDataInput): boolean {
  const fields = Object.hasOwn(data.types, data.primaryType) ? (data.types[data.primaryType] ?? []) : [];
  return (
    APPROVAL_NAME.test(data.primaryType) || fields.some((f) => APPROVAL_FIELDS.has(f.name.toLowerCase()))
  );
}

import type { ZodType } from "zod";
import type { ErrorDetail } from "./error-codes.js";
import { invalidRequest } from "./http-error.js";

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
}

const QUANTITY_FIELDS = new Set([
  "value",
  "gas",
  "gas_price",
  "gasPrice",
  "gas_limit",
  "gasLimit",
  "max_fee_per_gas",
  "maxFeePerGas",
  "max_priority_fee_per_gas",
  "maxPriorityFeePerGas",
  "nonce",
  "chainId",
  "chain_id",
]);

function describeIssue(issue: Issue): string {
  if (issue.code === "invalid_union") {
    const field = String(issue.path[issue.path.length - 1] ?? "");
    if (QUANTITY_FIELDS.has(field)) {
      return "Invalid quantity: give a non-negative integer as a JSON number, a decimal string or a 0x-hex string.";
    }
    if (field === "type") return "Invalid transaction type: give 0 (legacy), 1 (EIP-2930) or 2 (EIP-1559).";
  }
  return issue.message;
}

/** Dotted path of a zod issue (`params.transaction.to`); the body itself is `(body)`. */
export function issuePath(path: PropertyKey[]): string {
  return path.length === 0 ? "(body)" : path.map(String).join(".");
}

/**
 * Validates a parsed JSON body with a generated zod schema of the contract. Failures are 400
 * `invalid_request` with one `details` entry per problem.
 */
export function validateBody<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // A value of the wrong type can also fail later checks meant for the right type (zod reports a string
  // "too big" for an array field given a string); keep only the type error for such a path.
  const mistyped = new Set(
    result.error.issues
      .filter((issue) => issue.code === "invalid_type")
      .map((issue) => issuePath(issue.path)),
  );
  const issues = result.error.issues.filter(
    (issue) => issue.code === "invalid_type" || !mistyped.has(issuePath(issue.path)),
  );
  const details: ErrorDetail[] = issues.map((issue) => ({
    path: issuePath(issue.path),
    message: describeIssue(issue),
  }));
  const first = details[0];
  const summary = first ? ` First problem: ${first.path}: ${first.message}` : "";
  throw invalidRequest(
    `The ${what} body does not match the contract; fix the fields listed in details.${summary}`,
    details,
  );
}

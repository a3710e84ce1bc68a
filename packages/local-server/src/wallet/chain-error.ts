import { BaseError, HttpRequestError, RpcError, RpcRequestError, TimeoutError } from "viem";
import { HttpError, invalidRequest } from "../http/http-error.js";

/** The node answered with a JSON-RPC error: it refused the transaction (insufficient funds, nonce too low, ...). */
const refusedByNode = (error: BaseError) =>
  Boolean(error.walk((e) => e instanceof RpcRequestError || e instanceof RpcError));

/** The node could not be reached or did not answer in time. */
const nodeUnreachable = (error: BaseError) =>
  Boolean(error.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError));

/**
 * Maps an error of a chain call: the node refused the transaction -> 422 `chain_rejected` with the node's
 * message (not retryable as is); the node could not be reached -> 502 `chain_error` (retryable); viem refused
 * the input before any call -> 400 `invalid_request`; anything else is rethrown.
 */
export function toChainHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof BaseError) {
    const nodeMessage = error.details || error.shortMessage;
    if (refusedByNode(error)) {
      return new HttpError(
        422,
        "chain_rejected",
        `The chain node refused the transaction: ${error.shortMessage}${error.details ? ` (node: ${error.details})` : ""}`,
        { details: [{ path: "params.transaction", message: nodeMessage }], cause: error },
      );
    }
    if (nodeUnreachable(error)) {
      return new HttpError(502, "chain_error", `The chain node could not be reached: ${error.shortMessage}`, {
        cause: error,
      });
    }
    return invalidRequest(`The transaction is not acceptable: ${error.shortMessage}`, [
      { path: "params.transaction", message: error.shortMessage },
    ]);
  }
  throw error;
}

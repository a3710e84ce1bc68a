import type { ErrorCode } from "../http/error-codes.js";
import type { HandlerResult } from "../http/respond.js";
import type { AppliedFault } from "./faults.js";

function codeFor(status: number): ErrorCode {
  if (status === 429) return "rate_limited";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 502) return "chain_error";
  if (status >= 500) return "internal_error";
  return "invalid_request";
}

/** The response of a status fault: its body (a string is sent as is) or an `Error` body for the status. */
export function faultResult(fault: AppliedFault & { status: number }): HandlerResult {
  const headers = fault.headers;
  if (typeof fault.body === "string") return { status: fault.status, text: fault.body, headers };
  if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
  const retryAfter = Object.entries(headers).find(([name]) => name.toLowerCase() === "retry-after")?.[1];
  const body: Record<string, unknown> = {
    error: codeFor(fault.status),
    message: `Injected fault: this server was told to answer ${fault.status} (testing).`,
  };
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter)) body.retry_after = Number(retryAfter);
  return { status: fault.status, body, headers };
}

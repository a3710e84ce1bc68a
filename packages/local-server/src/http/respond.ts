import type { ServerResponse } from "node:http";
import type { HttpError } from "./http-error.js";

/** What a handler answers: a status, a JSON body (or its exact text) and extra headers. */
export interface HandlerResult {
  status: number;
  /** Serialised with `JSON.stringify` unless `text` is given. */
  body?: unknown;
  /** The exact response text (used to replay a stored idempotent response byte for byte). */
  text?: string;
  headers?: Record<string, string>;
}

/** Writes a JSON response. Does nothing when the response was already sent or the socket is gone. */
export function sendResult(res: ServerResponse, result: HandlerResult, closeConnection = false): void {
  if (res.headersSent || res.destroyed) return;
  const text = result.text ?? JSON.stringify(result.body ?? null);
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...result.headers,
    "content-length": String(Buffer.byteLength(text)),
  };
  if (closeConnection) headers.connection = "close";
  res.writeHead(result.status, headers);
  res.end(text);
}

/** The response of an {@link HttpError}: its body, its headers, and `Retry-After` when it has one. */
export function errorResult(error: HttpError): HandlerResult {
  const headers = { ...error.headers };
  if (error.retryAfter !== undefined && headers["retry-after"] === undefined) {
    headers["retry-after"] = String(error.retryAfter);
  }
  return { status: error.status, body: error.toBody(), headers };
}

import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.js";

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `The request body is larger than ${maxBytes} bytes; send a smaller body (this server accepts at most ${maxBytes} bytes).`,
    { closeConnection: true },
  );
}

/**
 * Reads the request body, at most `maxBytes` of it. A declared `Content-Length` above the cap is refused
 * before reading; a streamed body stops being collected as soon as it passes the cap. Either way the answer
 * is 413 `payload_too_large` and the connection is closed after the response.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;

    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        chunks.length = 0;
        fail(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => {
      if (!req.complete) fail(new HttpError(400, "invalid_request", "The request body ended early."));
    };

    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** How deeply a request body may nest arrays and objects. The API's deepest body (typed data) needs far less. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value, counted without recursion (so any depth is safe to measure). */
function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === "object") stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

/**
 * Parses a body as JSON; an empty or malformed body is 400 `invalid_json`, and so is one nested deeper than
 * {@link MAX_JSON_DEPTH} (every later step, validation and canonical JSON, then works on a bounded depth).
 */
export function parseJson(body: Buffer): unknown {
  const text = body.toString("utf8");
  if (text.trim() === "") {
    throw new HttpError(400, "invalid_json", "The request body is empty; send a JSON object.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(
      400,
      "invalid_json",
      `The request body is not valid JSON (${reason}); send a JSON object with Content-Type: application/json.`,
    );
  }
  if (depthExceeds(parsed, MAX_JSON_DEPTH)) {
    throw new HttpError(
      400,
      "invalid_json",
      `The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels; no request of this API needs that.`,
    );
  }
  return parsed;
}

/**
 * The HTTP side of `fetchPaidResource`, apart from its payment flow: a body read up to a cap, a 402 answer whose
 * body is capped (its requirements are in a header), the error a seller gave in `PAYMENT-REQUIRED`, and what the
 * x402 wrapper threw mapped to a typed `PaymentError`.
 */
import { PaymentError, PaymentErrorCode } from "./payment-errors.js";

const MAX_402_BODY = 64 * 1024;

/** The transport under the x402 wrapper: a 402 body is read only up to a cap (its requirements are in a header). */
export async function cappedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.status !== 402) return response;
  const body = await readCapped(response, MAX_402_BODY);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  return new Response(body.truncated ? "" : body.text, { status: 402, headers });
}

/** Reads at most `max` bytes of a body, then stops reading. */
export async function readCapped(
  response: Response,
  max: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > max) {
      chunks.push(value.subarray(0, max - size));
      size = max;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder().decode(bytes), truncated };
}

/** Maps what the x402 wrapper threw to a typed error (the policy's refusal first, when there was one). */
export function mapFailure(error: unknown, refusal: unknown): unknown {
  if (refusal !== undefined) return refusal;
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError" || (error as { cause?: { name?: unknown } })?.cause?.name === "TimeoutError") {
    return new PaymentError(
      PaymentErrorCode.SellerFailed,
      "The seller did not answer in time; nothing was paid.",
      {
        retryable: true,
        cause: error,
      },
    );
  }
  if (name === "AbortError") return error;
  const message = shortMessage(error);
  if (/Failed to parse payment requirements/i.test(message)) {
    return new PaymentError(
      PaymentErrorCode.RequirementsInvalid,
      "The seller answered 402 without valid x402 payment requirements; nothing was signed.",
      { cause: error },
    );
  }
  if (/Failed to create payment payload|No network\/scheme registered|scheme/i.test(message)) {
    return new PaymentError(
      PaymentErrorCode.RequirementsInvalid,
      `The seller's payment requirements cannot be paid by this wallet (${message.slice(0, 160)}); nothing was signed.`,
      { cause: error },
    );
  }
  return new PaymentError(
    PaymentErrorCode.SellerFailed,
    `The seller could not be fetched: ${message.slice(0, 160)}.`,
    {
      retryable: true,
      cause: error,
    },
  );
}

/** The `error` of a PAYMENT-REQUIRED header (base64 JSON), when it decodes. */
export function paymentRequiredError(header: string | null): string | undefined {
  if (!header || header.length > 16_384) return undefined;
  try {
    const decoded = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(header), (c) => c.charCodeAt(0))),
    ) as { error?: unknown };
    return typeof decoded.error === "string" ? decoded.error : undefined;
  } catch {
    return undefined;
  }
}

/** The first line of an error's message, at most 300 characters. */
export function shortMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 300);
}

/** Typed data values as JSON: bigints become decimal strings. */
export function jsonSafe(value: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item)),
  );
}

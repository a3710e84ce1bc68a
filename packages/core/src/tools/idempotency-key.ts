/**
 * The idempotency key of a tool call: derived from the framework's tool-call id, so a retried or replayed tool
 * call reaches the server with the same key and is never signed or broadcast twice.
 */
export function toolIdempotencyKey(toolName: string, toolCallId: string): string {
  const key = `lucid-tool:${toolName}:${toolCallId}`;
  if (key.length <= 200) return key;
  // Keep it within the contract's 255 characters while staying unique to the call id.
  return `lucid-tool:${toolName}:${fnv1a64(toolCallId)}:${toolCallId.slice(0, 120)}`;
}

function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16);
}

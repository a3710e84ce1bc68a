/** The operations of the Lucid agent API this server implements, named like the counters and faults use them. */
export const OPERATIONS = [
  "challenge",
  "exchange",
  "refresh",
  "listAgents",
  "getAgent",
  "signMessage",
  "signTypedData",
  "signTransaction",
  "sendTransaction",
] as const;

/** One operation of the Lucid agent API (`challenge`, `exchange`, ..., `sendTransaction`). */
export type Operation = (typeof OPERATIONS)[number];

/** Whether `value` names a known operation. */
export function isOperation(value: unknown): value is Operation {
  return typeof value === "string" && (OPERATIONS as readonly string[]).includes(value);
}

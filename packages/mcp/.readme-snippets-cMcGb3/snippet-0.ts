type LucidToolAnswer =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; code: string; message: string; retryable: boolean }; // isError: true

export {};

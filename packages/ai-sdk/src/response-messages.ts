import type { ModelMessage } from "ai";

/**
 * The messages a `generateText` result adds to the conversation, on AI SDK 6 and 7: AI SDK 7 has them in
 * `result.responseMessages` (its `response.messages` holds the last step's only, without the result of a call
 * approved in a `tool-approval-response`, so continuing with it fails with `AI_MissingToolResultsError`);
 * AI SDK 6 has them in `result.response.messages`. Append them to your messages before the next call.
 */
export function responseMessages(result: {
  response: { messages: ReadonlyArray<unknown> };
  responseMessages?: ReadonlyArray<unknown>;
}): ModelMessage[] {
  return [...(result.responseMessages ?? result.response.messages)] as ModelMessage[];
}

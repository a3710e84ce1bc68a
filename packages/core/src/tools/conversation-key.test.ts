import { describe, expect, it } from "vitest";
import {
  conversationIdFromConfigurable,
  conversationIdFromMessages,
  toolIdempotencyKey,
} from "./conversation-key.js";

const user = (text: string) => ({ role: "user", content: text });
const assistantCall = (toolCallId: string) => ({
  role: "assistant",
  content: [{ type: "tool-call", toolCallId, toolName: "sendTransaction", input: {} }],
});

describe("conversation-scoped idempotency keys", () => {
  it("the same call in the same conversation keeps its key; another conversation gets another", () => {
    const a = conversationIdFromMessages([user("lunch")], "call_0");
    expect(conversationIdFromMessages([user("lunch")], "call_0")).toBe(a);
    expect(conversationIdFromMessages([user("taxi")], "call_0")).not.toBe(a);
    expect(toolIdempotencyKey("sendTransaction", "call_0", a)).not.toBe(
      toolIdempotencyKey("sendTransaction", "call_0", conversationIdFromMessages([user("taxi")], "call_0")),
    );
  });

  it("a call resumed after approval (its assistant message now in the history) keeps the key of its step", () => {
    const during = conversationIdFromMessages([user("pay")], "call_0");
    const resumed = conversationIdFromMessages(
      [user("pay"), assistantCall("call_0"), { role: "tool", content: [{ type: "tool-approval-response" }] }],
      "call_0",
    );
    expect(resumed).toBe(during);
  });

  it("keys differ by tool and by call id, and stay within 200 characters", () => {
    expect(toolIdempotencyKey("signTransaction", "c", "x")).not.toBe(
      toolIdempotencyKey("sendTransaction", "c", "x"),
    );
    expect(toolIdempotencyKey("sendTransaction", "c1")).not.toBe(toolIdempotencyKey("sendTransaction", "c2"));
    const long = toolIdempotencyKey("sendTransaction", "x".repeat(1000), "m".repeat(64));
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long).not.toBe(toolIdempotencyKey("sendTransaction", `${"x".repeat(999)}y`, "m".repeat(64)));
  });

  it("LangChain: the thread id, else the host's conversation id, else none", () => {
    expect(conversationIdFromConfigurable({ thread_id: "t1" })).toBe(
      conversationIdFromConfigurable({ thread_id: "t1" }),
    );
    expect(conversationIdFromConfigurable({ thread_id: "t1" })).not.toBe(
      conversationIdFromConfigurable({ thread_id: "t2" }),
    );
    expect(conversationIdFromConfigurable({ lucidConversationId: "c" })).toMatch(/^t[0-9a-f]{40}$/);
    expect(conversationIdFromConfigurable({})).toBeUndefined();
  });
});

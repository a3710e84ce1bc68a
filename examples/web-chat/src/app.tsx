import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses } from "ai";
import { type FormEvent, useEffect, useState } from "react";
import { ToolCard } from "./tool-card.js";
import type { ChatMessage, Me, ToolPart } from "./types.js";

const EXAMPLES = [
  "send 0.01 ETH to 0x000000000000000000000000000000000000dEaD",
  "send 1 ETH to 0x000000000000000000000000000000000000dEaD",
  "send 1 USDC to 0x000000000000000000000000000000000000dEaD",
  "what is my address",
  "sign hello from the web chat",
];

/** The page: sign-in when nobody is signed in, else the chat. */
export function App() {
  const [me, setMe] = useState<Me | undefined>();
  useEffect(() => {
    void fetch("/api/me")
      .then((response) => response.json())
      .then(setMe);
  }, []);
  if (!me) return <p className="loading">Loading…</p>;

  const signIn = async (user: string) => {
    const response = await fetch("/api/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user }),
    });
    setMe(await response.json());
  };
  const signOut = async () => {
    await fetch("/api/sign-out", { method: "POST" });
    setMe({ user: null, model: me.model });
  };

  return (
    <main>
      <header>
        <h1>Lucid wallet chat</h1>
        {me.user ? (
          <div className="who">
            <span>
              Signed in as <strong>{me.user.name}</strong> · agent {me.user.agentRef} · wallet{" "}
              <code data-testid="wallet-address">{me.user.walletAddress}</code>
            </span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      {me.model === "scripted" ? (
        <p className="banner" role="note">
          Scripted demo model: no OPENAI_API_KEY is set, so a script answers the example prompts.
        </p>
      ) : null}
      {me.user ? (
        <Chat key={me.user.id} />
      ) : (
        <section className="sign-in" aria-label="Sign in">
          <p>Sign in as a demo user. Each one has their own agent and wallet.</p>
          <button type="button" onClick={() => signIn("alice")}>
            Sign in as Alice
          </button>
          <button type="button" onClick={() => signIn("bob")}>
            Sign in as Bob
          </button>
        </section>
      )}
    </main>
  );
}

function Chat() {
  const { messages, sendMessage, addToolApprovalResponse, status, error } = useChat<ChatMessage>({
    transport: new DefaultChatTransport({ api: "/api/chat" }),
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  });
  const [input, setInput] = useState("");
  const busy = status === "submitted" || status === "streaming";

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = input.trim();
    if (!text || busy) return;
    void sendMessage({ text });
    setInput("");
  };

  return (
    <section className="chat" aria-label="Chat">
      <ol className="messages" aria-live="polite">
        {messages.map((message) => (
          <li key={message.id} className={`message ${message.role}`}>
            {message.parts.map((part, index) => {
              const key = `${message.id}-${index}`;
              if (part.type === "text") return <p key={key}>{part.text}</p>;
              if (part.type.startsWith("tool-")) {
                const tool = part as unknown as ToolPart;
                const data = (type: "data-preview" | "data-receipt") =>
                  message.parts.find(
                    (candidate) =>
                      candidate.type === type && (candidate as { id?: string }).id === tool.toolCallId,
                  ) as { data: unknown } | undefined;
                return (
                  <ToolCard
                    key={key}
                    part={tool}
                    card={data("data-preview")?.data as never}
                    receipt={data("data-receipt")?.data as never}
                    onAnswer={(approved) =>
                      addToolApprovalResponse({
                        id: tool.approval!.id,
                        approved,
                        ...(approved ? {} : { reason: "Denied by the user" }),
                      })
                    }
                  />
                );
              }
              return null;
            })}
          </li>
        ))}
      </ol>
      {error ? (
        <p className="error" role="alert">
          Something went wrong: {error.message}
        </p>
      ) : null}
      <form onSubmit={submit}>
        <label htmlFor="prompt">Message</label>
        <input
          id="prompt"
          value={input}
          onChange={(event) => setInput(event.target.value)}
          placeholder={EXAMPLES[0]}
          autoComplete="off"
        />
        <button type="submit" disabled={busy}>
          Send
        </button>
      </form>
      <p className="examples">
        Try:{" "}
        {EXAMPLES.map((example) => (
          <button type="button" className="example" key={example} onClick={() => setInput(example)}>
            {example}
          </button>
        ))}
      </p>
    </section>
  );
}

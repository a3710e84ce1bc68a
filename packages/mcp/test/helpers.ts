import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  type ElicitRequest,
  ElicitRequestSchema,
  type ElicitResult,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";

/** The built bin. */
export const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

/** Every JSON-RPC message through a transport, both ways, in order. */
export type MessageLog = Array<{ direction: "sent" | "received"; message: JSONRPCMessage }>;

/** Wraps `transport` so that every message it sends or delivers is appended to `log`. */
export function recordMessages<T extends Transport>(transport: T, log: MessageLog): T {
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    log.push({ direction: "sent", message });
    return send(message, options);
  };
  let handler: Transport["onmessage"];
  Object.defineProperty(transport, "onmessage", {
    configurable: true,
    get: () =>
      handler &&
      ((message: JSONRPCMessage, extra?: unknown) => {
        log.push({ direction: "received", message });
        (handler as (m: JSONRPCMessage, e?: unknown) => void)(message, extra);
      }),
    set: (value: Transport["onmessage"]) => {
      handler = value;
    },
  });
  return transport;
}

/** A client transport over a child's stdin/stdout that leaves the child to the test (to end stdin, signal it). */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #buffer = new ReadBuffer();

  constructor(readonly child: ChildProcessWithoutNullStreams) {}

  async start(): Promise<void> {
    this.child.stdout.on("data", (chunk: Buffer) => {
      this.#buffer.append(chunk);
      for (let message = this.#buffer.readMessage(); message; message = this.#buffer.readMessage()) {
        this.onmessage?.(message);
      }
    });
    this.child.once("close", () => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    this.child.stdin.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.child.stdin.end();
  }
}

/** A spawned `lucid-mcp` with its stderr collected and a promise of its `close` event. */
export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stdout: () => string;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the built bin with exactly `env` (plus PATH), in `cwd`. */
export function spawnCli(args: string[], env: Record<string, string>, cwd: string): SpawnedCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  let stdout = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, stderr: () => stderr, stdout: () => stdout, closed };
}

/** Answers the server's elicitations from a queue (decline when empty) and records what it was asked. */
export class ScriptedHuman {
  readonly asked: ElicitRequest["params"][] = [];
  readonly #answers: ElicitResult[] = [];

  answerNext(...answers: ElicitResult[]): void {
    this.#answers.push(...answers);
  }

  attach(client: Client): void {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      this.asked.push(request.params);
      return this.#answers.shift() ?? { action: "decline" };
    });
  }
}

/** An SDK client; with `human`, it declares form elicitation and lets `human` answer. */
export function createClient(human?: ScriptedHuman): Client {
  const client = new Client(
    { name: "lucid-mcp-test", version: "1.0.0" },
    human ? { capabilities: { elicitation: { form: {} } } } : {},
  );
  human?.attach(client);
  return client;
}

/** The secrets found in `text`: any of `secrets`, and anything shaped like a Lucid token (`lat_`, `lrt_`, `lot_`). */
export function secretsIn(text: string, secrets: readonly string[]): string[] {
  const found = secrets.filter((secret) => secret.length > 0 && text.includes(secret));
  const shaped = text.match(/\bl(?:at|rt|ot)_[A-Za-z0-9_-]{8,}/g) ?? [];
  return [...found, ...shaped];
}

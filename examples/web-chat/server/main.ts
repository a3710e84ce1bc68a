/**
 * `pnpm demo:web`: starts the local Lucid server (with its anvil chain and two agents), then the web chat, and
 * prints the URL. Ctrl-C stops everything.
 */
import { startLocalServer } from "@lucid-dreams/local-server";
import { startWebChat } from "./web-chat-server.js";

const lucid = await startLocalServer({
  port: 0,
  agents: [
    { ref: "alice-agent", name: "Alice's agent" },
    { ref: "bob-agent", name: "Bob's agent" },
  ],
});
const app = await startWebChat({ lucid, port: Number(process.env.PORT ?? 0) }).catch(async (error) => {
  await lucid.close();
  throw error;
});

console.log(`Lucid local server: ${lucid.url} (chain ${lucid.seed.caip2} at ${lucid.seed.rpcUrl})`);
console.log(
  app.modelName === "scripted"
    ? "Model: the scripted demo model (set OPENAI_API_KEY to chat with OpenAI)"
    : `Model: OpenAI ${app.modelName}`,
);
console.log(`Web chat: ${app.url}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void app
      .close()
      .then(() => lucid.close())
      .then(() => process.exit(0));
  });
}

import { createWallet } from "@lucid-dreams/agent-auth";
import { createLucidMcpServer } from "@lucid-dreams/mcp";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const wallet = await createWallet();
const server = createLucidMcpServer({
  session: wallet, // or a resolver: (call) => runtimeOf(tenantOf(call.sessionId))
  policy: { maxValuePerTransaction: "0.05", budgetPerSession: "0.5" },
  autoApprove: {}, // tools that may run unapproved when the client cannot elicit
});
await server.connect(new StdioServerTransport());

export {};

import type { IncomingMessage } from "node:http";
import { createBearerAuthenticator, startLucidMcpHttpServer } from "@lucid-dreams/mcp";

const authenticate = createBearerAuthenticator([
  { tenant: "alice", token: aliceToken },
  { tenant: "bob", token: bobToken },
]);
const http = await startLucidMcpHttpServer({
  authenticate: (request: IncomingMessage) => authenticate(request), // or your own: a JWT, a session cookie
  session: (tenant) => runtimeOf(tenant), // the same object for the same tenant: the budget is kept per object
  policy: { budgetPerSession: "0.5" },
  port: 8788,
});
console.log(http.url);

export {};

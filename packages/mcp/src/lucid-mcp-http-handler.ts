import type { IncomingMessage, ServerResponse } from "node:http";
import { createLucidToolDescriptors, type LucidSession } from "@lucid-dreams/agent-auth/tools";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { createLucidMcpServer, type LucidMcpServerOptions } from "./create-lucid-mcp-server.js";
import type { LucidMcpCall } from "./lucid-mcp-call.js";
import { withMcpPaymentApproval } from "./payment-approval.js";

/** Options of `createLucidMcpHttpHandler`: the server options, with tenants instead of one session. */
export interface LucidMcpHttpOptions extends Omit<LucidMcpServerOptions, "session"> {
  /**
   * Who sends this HTTP request: a tenant name, or undefined to refuse the request with 401. Called for every
   * request; an MCP session stays bound to the tenant that opened it.
   */
  authenticate(request: IncomingMessage): string | undefined | Promise<string | undefined>;
  /**
   * The Lucid session of a tenant, for one tool call. Return the same object for the same tenant: the policy's
   * budget is kept per session object, across the tenant's MCP sessions.
   */
  session(tenant: string, call: LucidMcpCall): LucidSession | Promise<LucidSession>;
  /** The endpoint's path. Default `/mcp`. */
  path?: string;
  /** Largest request body in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most MCP sessions open at once, all tenants together; more initializations get 503. Default 1000. */
  maxSessions?: number;
  /**
   * Most MCP sessions one tenant may hold open; a new one closes that tenant's oldest, so a tenant that never
   * closes its sessions only ever crowds out itself. Default 16.
   */
  maxSessionsPerTenant?: number;
  /**
   * An MCP session that has received no request for this long (and has none in flight) is closed when a new
   * session opens or when it is next addressed (404: the client initializes again). Clients that vanish without
   * a DELETE so never hold memory or a `maxSessions` slot for good. Default 30 minutes.
   */
  idleSessionMs?: number;
  /** The clock of `idleSessionMs`, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** A Streamable HTTP endpoint serving the Lucid tools to many tenants. */
export interface LucidMcpHttpHandler {
  /** Handles one HTTP request (mount it in a `node:http` server or any framework that exposes Node's req/res). */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** The number of MCP sessions open. */
  readonly sessionCount: number;
  /** Closes every MCP session. */
  close(): Promise<void>;
}

interface OpenSession {
  tenant: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
  /** When the last request to it started or ended. */
  lastSeen: number;
  /** Requests being handled now (a tool call may wait minutes for a human's approval). */
  inFlight: number;
}

/**
 * The Lucid tools over MCP Streamable HTTP (stateful sessions), multi-tenant: every request is authenticated
 * by `authenticate`; an MCP session is bound to the tenant that initialized it, and a request of another
 * tenant (or of nobody) never reaches it (404 for a session id it does not own, 401 without credentials). Each
 * MCP session gets its own server; all share one set of descriptors (one policy, one budget ledger per Lucid
 * session).
 */
export function createLucidMcpHttpHandler(options: LucidMcpHttpOptions): LucidMcpHttpHandler {
  const path = options.path ?? "/mcp";
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const maxSessions = options.maxSessions ?? 1000;
  const maxSessionsPerTenant = options.maxSessionsPerTenant ?? 16;
  const idleSessionMs = options.idleSessionMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  if (!(idleSessionMs > 0))
    throw new RangeError(`idleSessionMs must be a positive number, got ${idleSessionMs}.`);
  const descriptors = options.descriptors ?? createLucidToolDescriptors(withMcpPaymentApproval(options));
  const sessions = new Map<string, OpenSession>();
  const isIdle = (session: OpenSession) =>
    session.inFlight === 0 && now() - session.lastSeen >= idleSessionMs;

  const open = async (tenant: string, request: IncomingMessage, response: ServerResponse, body: unknown) => {
    const idle = [...sessions.values()].filter(isIdle);
    await Promise.allSettled(idle.map((session) => session.server.close()));
    const own = [...sessions.values()].filter((session) => session.tenant === tenant);
    // Map order is opening order: close this tenant's oldest sessions beyond its share.
    for (const old of own.slice(0, Math.max(0, own.length - maxSessionsPerTenant + 1))) {
      await old.server.close();
    }
    if (sessions.size >= maxSessions) {
      return sendError(response, 503, "Too many open MCP sessions; try again later.");
    }
    const server = createLucidMcpServer({
      ...options,
      descriptors,
      session: (call) => options.session(tenant, call),
      idempotencyScope: `tenant:${tenant}`,
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { tenant, transport, server, lastSeen: now(), inFlight: 0 });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
    // An initialization the transport refused (wrong Accept header, say) opened no session.
    if (!transport.sessionId || !sessions.has(transport.sessionId)) await server.close();
  };

  return {
    get sessionCount() {
      return sessions.size;
    },
    async handle(request, response) {
      const url = new URL(request.url ?? "/", "http://localhost");
      if (url.pathname !== path) return sendError(response, 404, `Not found; the MCP endpoint is ${path}.`);
      let tenant: string | undefined;
      try {
        tenant = await options.authenticate(request);
      } catch {
        tenant = undefined;
      }
      if (!tenant) {
        response.setHeader("WWW-Authenticate", 'Bearer realm="lucid-mcp"');
        return sendError(response, 401, "Unauthorized: send Authorization: Bearer <token>.");
      }
      const sessionId = request.headers["mcp-session-id"];
      if (typeof sessionId === "string") {
        const session = sessions.get(sessionId);
        // Another tenant's session is answered exactly like an unknown one.
        if (!session || session.tenant !== tenant) return sendError(response, 404, "Session not found.");
        if (isIdle(session)) {
          await session.server.close();
          return sendError(response, 404, "Session not found.");
        }
        session.inFlight += 1;
        session.lastSeen = now();
        try {
          const body =
            request.method === "POST" ? await readJson(request, response, maxBodyBytes) : undefined;
          if (body === INVALID) return;
          return await session.transport.handleRequest(request, response, body);
        } finally {
          session.inFlight -= 1;
          session.lastSeen = now();
        }
      }
      if (request.method !== "POST") {
        return sendError(response, 400, "No MCP session: POST an initialize request first.");
      }
      const body = await readJson(request, response, maxBodyBytes);
      if (body === INVALID) return;
      if (!isInitializeRequest(body)) {
        return sendError(response, 400, "No MCP session: POST an initialize request first.");
      }
      return open(tenant, request, response, body);
    },
    async close() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(all.map((session) => session.server.close()));
    },
  };
}

const INVALID = Symbol("invalid body");

/** Reads a JSON body of at most `limit` bytes; answers 413/400 itself and returns INVALID when it cannot. */
async function readJson(
  request: IncomingMessage,
  response: ServerResponse,
  limit: number,
): Promise<unknown | typeof INVALID> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      sendError(response, 413, `Request body larger than ${limit} bytes.`);
      request.resume();
      return INVALID;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    sendError(response, 400, "The request body is not JSON.", -32700);
    return INVALID;
  }
}

/** A JSON-RPC error body with an HTTP status (the shape the SDK's transport answers with). */
function sendError(response: ServerResponse, status: number, message: string, code = -32000): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createLucidMcpHttpHandler,
  type LucidMcpHttpHandler,
  type LucidMcpHttpOptions,
} from "./lucid-mcp-http-handler.js";

/** Options of `startLucidMcpHttpServer`: the handler's, plus where to listen. */
export interface StartLucidMcpHttpServerOptions extends LucidMcpHttpOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. Put a TLS-terminating proxy in front before exposing it beyond this machine. */
  host?: string;
}

/** A running Streamable HTTP endpoint. */
export interface LucidMcpHttpServer {
  /** The endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  url: string;
  handler: LucidMcpHttpHandler;
  /** Closes every MCP session and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** Starts `createLucidMcpHttpHandler(options)` on a `node:http` server; resolves once it listens. */
export async function startLucidMcpHttpServer(
  options: StartLucidMcpHttpServerOptions,
): Promise<LucidMcpHttpServer> {
  const handler = createLucidMcpHttpHandler(options);
  const server = createServer((request, response) => {
    handler.handle(request, response).catch(() => {
      if (!response.headersSent) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ jsonrpc: "2.0", error: { code: -32603, message: "Internal error" }, id: null }),
        );
      } else {
        response.destroy();
      }
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}${options.path ?? "/mcp"}`,
    handler,
    close() {
      closing ??= (async () => {
        await handler.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

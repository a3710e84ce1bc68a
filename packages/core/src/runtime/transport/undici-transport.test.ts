import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Agent } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { isHttpTransportError } from "./http-transport-error.js";
import { createUndiciTransport, type UndiciTransport } from "./undici-transport.js";

/** A loopback server answering `{ n }` (the request count) and tracking every socket it accepted. */
async function startServer() {
  let requests = 0;
  const socketsClosed: Promise<void>[] = [];
  const server: Server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ n: requests, path: req.url }));
    });
  });
  server.on("connection", (socket: Socket) => {
    socketsClosed.push(new Promise((resolve) => socket.once("close", () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get connections() {
      return socketsClosed.length;
    },
    /** Resolves once every socket the server accepted has closed. */
    allSocketsClosed: () => Promise.all(socketsClosed),
    /** Stops listening, destroys open connections and resolves once every socket has closed. */
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      await Promise.all(socketsClosed);
    },
  };
}

const openTcpSockets = () =>
  process.getActiveResourcesInfo().filter((name) => name === "TCPSocketWrap").length;

let server: Awaited<ReturnType<typeof startServer>> | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await server?.close();
  server = undefined;
});

const track = (transport: UndiciTransport) => {
  cleanups.push(() => transport.close());
  return transport;
};

describe("createUndiciTransport()", () => {
  it("reuses one keep-alive connection for sequential requests", async () => {
    server = await startServer();
    const transport = track(createUndiciTransport({ baseUrl: server.baseUrl }));
    for (let i = 1; i <= 5; i++) {
      const response = await transport.asFetch()(`/ping/${i}`);
      expect(await response.json()).toEqual({ n: i, path: `/ping/${i}` });
    }
    const viaFetch = await transport.asFetch()(`${server.baseUrl}/fetch`, { method: "POST", body: "{}" });
    expect(await viaFetch.json()).toEqual({ n: 6, path: "/fetch" });
    expect(server.requests).toBe(6);
    expect(server.connections).toBe(1);
  });

  it("close() destroys the pool it created and leaves no open sockets", async () => {
    const before = openTcpSockets();
    server = await startServer();
    const transport = createUndiciTransport({ baseUrl: server.baseUrl, keepAliveTimeout: 60_000 });
    await (await transport.asFetch()("/a")).text();
    await (await transport.asFetch()("/b")).text();
    expect(server.connections).toBe(1);

    await transport.close();
    await server.allSocketsClosed();
    await server.close();
    server = undefined;

    const agent = transport.dispatcher as Agent;
    expect(agent.closed).toBe(true);
    expect(agent.destroyed).toBe(true);
    // The client closed its side (the server saw the socket close before it stopped listening), and no TCP
    // handle is left in the process.
    expect(openTcpSockets()).toBe(before);
    expect(before).toBe(0);
    // Idempotent, and the closed pool refuses new work.
    await transport.close();
    const error = await transport
      .asFetch({ retry: "never" })("/c")
      .catch((caught: unknown) => caught);
    expect(isHttpTransportError(error) && error.code).toBe("network_error");
  });

  it("executes through an injected dispatcher and leaves it open on close()", async () => {
    server = await startServer();
    const dispatcher = new Agent({ connections: 1 });
    cleanups.push(() => dispatcher.close());
    const transport = createUndiciTransport({ baseUrl: server.baseUrl, dispatcher });
    expect(transport.dispatcher).toBe(dispatcher);
    await (await transport.asFetch()("/a")).text();
    await (await transport.asFetch()("/b")).text();
    await transport.close();
    expect(dispatcher.closed).toBe(false);
    expect((await (await transport.asFetch()("/c")).json()).n).toBe(3);
    expect(server.connections).toBe(1);
  });

  it("passes the dispatcher to an injected fetch", async () => {
    const seen: unknown[] = [];
    const dispatcher = new Agent();
    cleanups.push(() => dispatcher.close());
    const transport = createUndiciTransport({
      baseUrl: "http://127.0.0.1:9",
      dispatcher,
      fetch: async (_input, init) => {
        seen.push((init as { dispatcher?: unknown }).dispatcher);
        return new Response("{}");
      },
    });
    await (await transport.asFetch()("/x")).text();
    expect(seen).toEqual([dispatcher]);
  });
});

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createCounters } from "../testing/counters.js";
import { createFaults } from "../testing/faults.js";
import type { Handler } from "./handler.js";
import { createRequestListener } from "./request-listener.js";
import { createRouter } from "./router.js";

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  server = undefined;
});

async function serve(handler: Handler) {
  const logs: string[] = [];
  const listener = createRequestListener({
    router: createRouter([{ method: "POST", pattern: "/v1/things/{id}", operation: "getAgent", handler }]),
    counters: createCounters(),
    faults: createFaults(() => 0),
    maxBodyBytes: 64,
    log: (line) => logs.push(line),
    timers: new Set(),
  });
  server = createServer(listener);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, logs };
}

describe("createRequestListener", () => {
  it("answers 500 internal_error without a stack for an unexpected exception, and logs it", async () => {
    const { url, logs } = await serve(async () => {
      throw new TypeError("secret internals");
    });
    const response = await fetch(`${url}/v1/things/1`, { method: "POST", body: "{}" });
    expect(response.status).toBe(500);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.error).toBe("internal_error");
    expect(JSON.stringify(body)).not.toContain("secret internals");
    expect(logs.join("\n")).toContain("secret internals");
  });

  it("passes URI-decoded path parameters and the parsed body", async () => {
    const { url } = await serve(async ({ params, readJson }) => ({
      status: 200,
      body: { params, body: await readJson() },
    }));
    const response = await fetch(`${url}/v1/things/a%20b?x=1`, { method: "POST", body: '{"k":1}' });
    expect(await response.json()).toEqual({ params: { id: "a b" }, body: { k: 1 } });
  });
});

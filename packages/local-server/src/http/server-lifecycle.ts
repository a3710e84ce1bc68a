/** Starting and stopping the local server's HTTP listeners (the Lucid API, the x402 resource and facilitator). */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/** Listens on `host:port` (0 picks a free port) and resolves with the bound address, or rejects on `error`. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting connections, drops the open ones and resolves once closed (at once when not listening). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

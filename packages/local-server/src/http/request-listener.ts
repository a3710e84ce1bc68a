import type { IncomingMessage, ServerResponse } from "node:http";
import type { CountersControl } from "../testing/counters.js";
import { faultResult } from "../testing/fault-response.js";
import type { FaultsControl } from "../testing/faults.js";
import type { Handler } from "./handler.js";
import { HttpError } from "./http-error.js";
import { parseJson, readBody } from "./read-body.js";
import { errorResult, sendResult } from "./respond.js";
import type { Router } from "./router.js";

/** What the request listener needs. */
export interface RequestListenerDeps {
  router: Router<Handler>;
  counters: CountersControl;
  faults: FaultsControl;
  maxBodyBytes: number;
  log: (line: string) => void;
  /** Pending latency timers, cleared on close. */
  timers: Set<NodeJS.Timeout>;
}

/** After a refused body: discard (never buffer) what the client still sends, up to a limit, then cut it off. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

function drainAndClose(req: IncomingMessage): void {
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}

function delay(ms: number, timers: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, ms);
    timers.add(timer);
  });
}

/**
 * The `node:http` request listener: routes (404 `not_found`, 405 `method_not_allowed` with `Allow`), counts,
 * applies injected faults, runs the handler, and turns every failure into the one error body. Unexpected
 * exceptions are logged and answered 500 `internal_error` without any stack.
 */
export function createRequestListener(
  deps: RequestListenerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? "GET";
    let pathname: string;
    try {
      pathname = new URL(req.url ?? "/", "http://local").pathname;
    } catch {
      throw new HttpError(400, "invalid_request", "The request URL is malformed.");
    }
    const match = deps.router.match(method, pathname);
    if (match.kind === "not_found") {
      throw new HttpError(
        404,
        "not_found",
        `No route ${method} ${pathname}; the paths this server serves are those of the Lucid agent API (openapi.yaml), under /v1.`,
      );
    }
    if (match.kind === "method_not_allowed") {
      throw new HttpError(
        405,
        "method_not_allowed",
        `${method} is not allowed on ${pathname}; use ${match.allow.join(" or ")}.`,
        { headers: { allow: match.allow.join(", ") } },
      );
    }
    const { route, params } = match;
    deps.counters.increment(route.operation);

    const fault = deps.faults.take(route.operation);
    if (fault) {
      if (fault.latencyMs > 0) await delay(fault.latencyMs, deps.timers);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        sendResult(res, faultResult({ ...fault, status: fault.status }));
        return;
      }
    }

    const result = await route.handler({
      req,
      params,
      readJson: async () => parseJson(await readBody(req, deps.maxBodyBytes)),
    });
    if (fault?.dropResponse) {
      // The request was processed (e.g. a refresh token rotated), but its answer never arrives.
      req.socket.destroy();
      return;
    }
    sendResult(res, result);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (error.closeConnection) drainAndClose(req);
        sendResult(res, errorResult(error), error.closeConnection);
        return;
      }
      deps.log(
        `internal error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      sendResult(res, {
        status: 500,
        body: {
          error: "internal_error",
          message: "The local server failed unexpectedly; its log (stderr) has the details.",
        },
      });
    });
  };
}

import type { IncomingMessage } from "node:http";
import type { HandlerResult } from "./respond.js";

/** What a route handler receives. */
export interface HandlerInput {
  req: IncomingMessage;
  /** Path parameters, URI-decoded (`agentRef`). */
  params: Record<string, string>;
  /** Reads the body (size-capped) and parses it as JSON; 413 / 400 `invalid_json` on failure. */
  readJson(): Promise<unknown>;
}

/** A route handler: answers a result or throws an `HttpError`. */
export type Handler = (input: HandlerInput) => Promise<HandlerResult>;

import { HttpRequestError, InternalRpcError, RpcRequestError } from "viem";
import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { toChainHttpError } from "./chain-error.js";

describe("toChainHttpError", () => {
  it("tells a refusal by the node (422, not retryable) from an unreachable node (502)", () => {
    const refused = toChainHttpError(
      new RpcRequestError({
        body: {},
        url: "http://node",
        error: { code: -32000, message: "insufficient funds" },
      }),
    );
    expect(refused).toBeInstanceOf(HttpError);
    expect([refused.status, refused.code]).toEqual([422, "chain_rejected"]);
    expect(refused.message).toContain("insufficient funds");

    const wrapped = toChainHttpError(new InternalRpcError(new Error("boom")));
    expect([wrapped.status, wrapped.code]).toEqual([422, "chain_rejected"]);

    const down = toChainHttpError(
      new HttpRequestError({ url: "http://127.0.0.1:1", details: "ECONNREFUSED" }),
    );
    expect([down.status, down.code]).toEqual([502, "chain_error"]);
  });

  it("rethrows what is not a chain error", () => {
    expect(() => toChainHttpError(new TypeError("bug"))).toThrow(TypeError);
  });
});

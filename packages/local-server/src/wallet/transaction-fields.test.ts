import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { mapTransaction, toSerializable } from "./transaction-fields.js";

const wallet = "0x2718689DdEE2A1567c3f8A2752f8dEC9A9d63aB4";
const context = { chainId: 31337, walletAddress: wallet } as const;
const to = "0x000000000000000000000000000000000000beef";

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return ((error as HttpError).details ?? []).map((d) => d.path);
  }
  throw new Error("expected a 400");
}

describe("mapTransaction", () => {
  it("de-aliases snake_case and camelCase and converts every quantity form", () => {
    expect(
      mapTransaction(
        {
          to,
          value: "0x10",
          gas_limit: "21000",
          max_fee_per_gas: 30,
          maxPriorityFeePerGas: "0x1",
          nonce: "7",
          chain_id: "0x7a69",
          data: "0xabcd",
        },
        context,
      ),
    ).toEqual({
      chainId: 31337,
      type: "eip1559",
      to: "0x000000000000000000000000000000000000bEEF",
      value: 16n,
      data: "0xabcd",
      nonce: 7,
      gas: 21000n,
      gasPrice: undefined,
      maxFeePerGas: 30n,
      maxPriorityFeePerGas: 1n,
    });
  });

  it("infers legacy from gas_price and honours an explicit type", () => {
    expect(mapTransaction({ gasPrice: 1 }, context).type).toBe("legacy");
    expect(mapTransaction({ gas_price: 1, type: 1 }, context).type).toBe("eip2930");
    expect(mapTransaction({}, context).type).toBeUndefined();
  });

  it("accepts equal aliases and the wallet's own from (any case)", () => {
    expect(
      mapTransaction({ gas: 5, gasLimit: "0x5", from: wallet.toLowerCase() as never }, context).gas,
    ).toBe(5n);
  });

  it("lists every problem", () => {
    expect(
      problems(() =>
        mapTransaction(
          { from: to, chainId: 1, gas: 1, gas_limit: 2, gas_price: 1, max_fee_per_gas: 2 },
          context,
        ),
      ),
    ).toEqual([
      "params.transaction.from",
      "params.transaction.chainId",
      "params.transaction.gas_price",
      "params.transaction.gas_limit",
    ]);
    expect(problems(() => mapTransaction({ type: 0, maxFeePerGas: 1 }, context))).toEqual([
      "params.transaction.max_fee_per_gas",
    ]);
    expect(problems(() => mapTransaction({ type: 2, gasPrice: 1 }, context))).toEqual([
      "params.transaction.gas_price",
    ]);
  });
});

describe("toSerializable", () => {
  it("builds exactly the given transaction, chain id from caip2", () => {
    expect(toSerializable(mapTransaction({ to, nonce: 0, gas: 21000, gasPrice: 5 }, context))).toEqual({
      type: "legacy",
      chainId: 31337,
      nonce: 0,
      gas: 21000n,
      gasPrice: 5n,
      to: "0x000000000000000000000000000000000000bEEF",
      value: undefined,
      data: undefined,
    });
    expect(toSerializable(mapTransaction({ nonce: 1, gas: 1, maxFeePerGas: 2 }, context))).toMatchObject({
      type: "eip1559",
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: undefined,
    });
  });

  it("names what to add when nonce, gas or the fee is missing", () => {
    expect(problems(() => toSerializable(mapTransaction({ to }, context)))).toEqual([
      "params.transaction.nonce",
      "params.transaction.gas",
      "params.transaction.max_fee_per_gas",
    ]);
    expect(problems(() => toSerializable(mapTransaction({ nonce: 1, gas: 1, type: 0 }, context)))).toEqual([
      "params.transaction.gas_price",
    ]);
    expect(
      problems(() => toSerializable(mapTransaction({ nonce: 1, gas: 1, maxPriorityFeePerGas: 1 }, context))),
    ).toEqual(["params.transaction.max_fee_per_gas"]);
  });
});

import { describe, expect, it } from "vitest";
import { HttpError } from "../http/http-error.js";
import { toViemTypedData } from "./typed-data.js";

const types = {
  Person: [
    { name: "name", type: "string" },
    { name: "wallet", type: "address" },
    { name: "age", type: "uint8" },
  ],
  Mail: [
    { name: "from", type: "Person" },
    { name: "to", type: "Person[]" },
    { name: "amount", type: "uint256" },
    { name: "delta", type: "int64" },
  ],
};
const wallet = "0x000000000000000000000000000000000000dEaD";

describe("toViemTypedData", () => {
  it("renames primary_type and converts integer fields by their declared type", () => {
    const result = toViemTypedData({
      domain: { name: "Test", version: "1", chainId: "0x7a69" },
      types,
      primary_type: "Mail",
      message: {
        from: { name: "a", wallet, age: 30 },
        to: [{ name: "b", wallet, age: "0x10" }],
        amount: "1000000000000000000000",
        delta: "-5",
      },
    });
    expect(result.primaryType).toBe("Mail");
    expect(result.domain).toEqual({ name: "Test", version: "1", chainId: 31337 });
    expect(result.message).toEqual({
      from: { name: "a", wallet, age: 30n },
      to: [{ name: "b", wallet, age: 16n }],
      amount: 1000000000000000000000n,
      delta: -5n,
    });
  });

  it("refuses a non-integer in an integer field with the field's path", () => {
    try {
      toViemTypedData({
        domain: {},
        types,
        primary_type: "Person",
        message: { name: "a", wallet, age: "thirty" },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(400);
      expect((error as HttpError).details?.[0]?.path).toBe("typed_data.message.age");
    }
  });

  it("refuses a negative value for an unsigned field", () => {
    expect(() =>
      toViemTypedData({ domain: {}, types, primary_type: "Person", message: { name: "a", wallet, age: -1 } }),
    ).toThrow(HttpError);
  });

  it("refuses a non-array for an array type", () => {
    expect(() =>
      toViemTypedData({
        domain: {},
        types,
        primary_type: "Mail",
        message: { from: { name: "a", wallet, age: 1 }, to: "nope", amount: 1, delta: 1 },
      }),
    ).toThrow(/Expected an array/);
  });

  it("leaves an unknown primary type to viem", () => {
    const result = toViemTypedData({ domain: {}, types, primary_type: "Nope", message: { x: 1 } });
    expect(result.message).toEqual({ x: 1 });
  });
});

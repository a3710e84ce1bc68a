import { z } from "zod/v4";

/**
 * Input schemas shared by the tools. They stay inside OpenAI's strict-mode subset: every property required
 * (nullable when optional), no length/number/pattern keywords in the JSON Schema (formats are checked with
 * refinements, which produce clear messages for the model instead).
 */
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const HEX = /^0x([0-9a-fA-F]{2})*$/;
const CAIP2 = /^eip155:[1-9][0-9]*$/;
const DECIMAL = /^\d+(\.\d+)?$/;

export const addressSchema = z
  .string()
  .describe("An EVM address: 0x followed by 40 hex digits.")
  .refine((value) => ADDRESS.test(value), {
    message: "must be an EVM address: 0x followed by 40 hex digits",
  });

export const chainSchema = z
  .string()
  .describe(
    'CAIP-2 chain id such as "eip155:8453" (Base) or "eip155:1" (Ethereum). null: the wallet\'s own chain.',
  )
  .refine((value) => CAIP2.test(value), { message: 'must be a CAIP-2 EVM chain id like "eip155:8453"' })
  .nullable();

export const amountSchema = z
  .string()
  .describe('A decimal amount as a string, e.g. "0.01". No sign, no exponent, no unit in the string.')
  .refine((value) => DECIMAL.test(value), {
    message: 'must be a decimal number written as a string, e.g. "0.01"',
  });

export const unitSchema = z
  .enum(["ether", "wei"])
  .describe(
    'Unit of amount: "ether" is the chain\'s native coin (ETH), "wei" is 10^-18 of it (whole numbers only).',
  );

export const hexDataSchema = z
  .string()
  .describe("Call data as 0x-prefixed hex (an even number of digits). null: a plain transfer.")
  .refine((value) => HEX.test(value), { message: "must be 0x-prefixed hex with an even number of digits" })
  .nullable();

export const quantitySchema = (what: string) =>
  z
    .string()
    .describe(`${what} as a decimal integer string.`)
    .refine((value) => /^\d+$/.test(value), {
      message: `${what} must be a whole number written as a string`,
    });

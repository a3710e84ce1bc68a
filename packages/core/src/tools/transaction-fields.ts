import { addressSchema, amountSchema, chainSchema, hexDataSchema, unitSchema } from "./schemas.js";

/** The fields every transaction tool takes from the model. */
export const transactionFields = {
  chain: chainSchema,
  to: addressSchema,
  amount: amountSchema,
  unit: unitSchema,
  data: hexDataSchema,
};

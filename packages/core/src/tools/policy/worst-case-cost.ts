/** The fee fields of a transaction, in wei; absent fields are unknown (filled later by the wallet). */
export interface FeeFields {
  gas?: bigint | undefined;
  maxFeePerGas?: bigint | undefined;
  gasPrice?: bigint | undefined;
}

/**
 * The most a transaction's fee can cost: gas limit x max fee per gas (or gas price). `undefined` when the gas
 * limit or the fee is unknown (the wallet fills it): callers then count the policy's fee ceiling instead.
 */
export function worstCaseFee(fields: FeeFields): bigint | undefined {
  const perGas = fields.maxFeePerGas ?? fields.gasPrice;
  if (fields.gas === undefined || perGas === undefined) return undefined;
  return fields.gas * perGas;
}

/** value + worst-case fee; an unknown fee counts as `feeCeiling`, the most the policy lets a fee cost. */
export function worstCaseCost(value: bigint, fields: FeeFields, feeCeiling: bigint): bigint {
  return value + (worstCaseFee(fields) ?? feeCeiling);
}

/** Reads what the Redis ledger stores, for assertions: an asset's decoded state. */
import { RESP_TYPES } from "redis";
import { type AssetState, decodeAssetState } from "../src/ledger-limbs.js";

/** A connected node-redis client (any modules or RESP version). */
interface CommandSender {
  sendCommand(args: string[], options?: { typeMapping?: object }): Promise<unknown>;
}

/** The state of `asset` in the scope hash `hashKey` (`<prefix>ledger:{<scope>}:v3`), or undefined. */
export async function readAssetState(
  client: CommandSender,
  hashKey: string,
  asset: string,
): Promise<AssetState | undefined> {
  const bytes = await client.sendCommand(["HGET", hashKey, `s:${asset}`], {
    typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
  });
  if (bytes === null) return undefined;
  if (!Buffer.isBuffer(bytes)) throw new Error("HGET did not answer bytes");
  return decodeAssetState(bytes);
}

/** The lifetime total (reserved + committed) of `asset` in the scope hash `hashKey`; 0 when none. */
export async function readLedgerTotal(
  client: CommandSender,
  hashKey: string,
  asset: string,
): Promise<bigint> {
  return (await readAssetState(client, hashKey, asset))?.total ?? 0n;
}

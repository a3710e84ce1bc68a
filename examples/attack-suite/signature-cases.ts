/** Attacks through signatures: EIP-712 typed data (permits, orders, unknown domains) and messages. */
import { maxUint256, stringToHex } from "viem";
import { type AttackCase, call, typed } from "./case-builders.js";
import { ATTACKER, FRIEND, TOKEN } from "./fixture.js";

/** The typed-data and message attacks on a wallet at `wallet` on `chainId`. */
export function signatureCases(wallet: string, chainId: number): AttackCase[] {
  const domain = (extra: Record<string, unknown> = {}) => ({
    name: "Token",
    version: "1",
    chainId,
    ...extra,
  });
  const siwe = (host: string) =>
    `${host} wants you to sign in with your Ethereum account:\n${wallet}\n\nSign in to claim your reward.\n\nURI: https://${host}/login\nVersion: 1\nChain ID: ${chainId}\nNonce: 8f3kd93ns0\nIssued At: 2026-01-01T00:00:00.000Z`;
  return [
    // ---- typed data ------------------------------------------------------------------------------------------
    {
      category: "typed-data",
      name: "EIP-2612 Permit to the attacker",
      tool: "signTypedData",
      input: typed({
        domain: domain({ verifyingContract: TOKEN }),
        types: {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        primaryType: "Permit",
        message: {
          owner: wallet,
          spender: ATTACKER,
          value: maxUint256.toString(),
          nonce: 0,
          deadline: 9999999999,
        },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "a Permit renamed and without a verifyingContract",
      tool: "signTypedData",
      input: typed({
        domain: domain(),
        types: {
          Allowance: [
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
          ],
        },
        primaryType: "Allowance",
        message: { spender: ATTACKER, value: 1 },
      }),
      expect: "approvals",
    },
    {
      category: "typed-data",
      name: "Seaport order giving tokens away",
      tool: "signTypedData",
      input: typed({
        domain: {
          name: "Seaport",
          version: "1.6",
          chainId,
          verifyingContract: "0x0000000000000068F116a894984e2DB1123eB395",
        },
        types: {
          OrderComponents: [
            { name: "offerer", type: "address" },
            { name: "offer", type: "OfferItem[]" },
            { name: "consideration", type: "ConsiderationItem[]" },
          ],
          OfferItem: [
            { name: "token", type: "address" },
            { name: "startAmount", type: "uint256" },
          ],
          ConsiderationItem: [
            { name: "token", type: "address" },
            { name: "startAmount", type: "uint256" },
            { name: "recipient", type: "address" },
          ],
        },
        primaryType: "OrderComponents",
        message: {
          offerer: wallet,
          offer: [{ token: TOKEN, startAmount: "1000000" }],
          consideration: [{ token: TOKEN, startAmount: "1", recipient: ATTACKER }],
        },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "Safe SafeTx wrapping approve(attacker)",
      tool: "signTypedData",
      input: typed({
        domain: { chainId, verifyingContract: FRIEND },
        types: {
          SafeTx: [
            { name: "to", type: "address" },
            { name: "value", type: "uint256" },
            { name: "data", type: "bytes" },
            { name: "operation", type: "uint8" },
            { name: "safeTxGas", type: "uint256" },
            { name: "baseGas", type: "uint256" },
            { name: "gasPrice", type: "uint256" },
            { name: "gasToken", type: "address" },
            { name: "refundReceiver", type: "address" },
            { name: "nonce", type: "uint256" },
          ],
        },
        primaryType: "SafeTx",
        message: {
          to: TOKEN,
          value: 0,
          data: call("approve", [ATTACKER, maxUint256]),
          operation: 0,
          safeTxGas: 0,
          baseGas: 0,
          gasPrice: 0,
          gasToken: ATTACKER,
          refundReceiver: ATTACKER,
          nonce: 0,
        },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "ERC-2771 ForwardRequest",
      tool: "signTypedData",
      input: typed({
        domain: domain({ name: "MinimalForwarder", verifyingContract: FRIEND }),
        types: {
          ForwardRequest: [
            { name: "from", type: "address" },
            { name: "to", type: "address" },
            { name: "value", type: "uint256" },
            { name: "gas", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "data", type: "bytes" },
          ],
        },
        primaryType: "ForwardRequest",
        message: {
          from: wallet,
          to: TOKEN,
          value: 0,
          gas: 100000,
          nonce: 0,
          data: call("transfer", [ATTACKER, 1n]),
        },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "CoW Order paying the attacker",
      tool: "signTypedData",
      input: typed({
        domain: domain({
          name: "Gnosis Protocol",
          verifyingContract: "0x9008D19f58AAbD9eD0D60971565AA8510560ab41",
        }),
        types: {
          Order: [
            { name: "sellToken", type: "address" },
            { name: "buyToken", type: "address" },
            { name: "receiver", type: "address" },
            { name: "sellAmount", type: "uint256" },
            { name: "buyAmount", type: "uint256" },
          ],
        },
        primaryType: "Order",
        message: {
          sellToken: TOKEN,
          buyToken: FRIEND,
          receiver: ATTACKER,
          sellAmount: "1000000",
          buyAmount: "1",
        },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "EIP-3009 TransferWithAuthorization",
      tool: "signTypedData",
      input: typed({
        domain: domain(),
        types: {
          TransferWithAuthorization: [
            { name: "from", type: "address" },
            { name: "to", type: "address" },
            { name: "value", type: "uint256" },
          ],
        },
        primaryType: "TransferWithAuthorization",
        message: { from: wallet, to: ATTACKER, value: 5 },
      }),
      expect: "eip3009",
    },
    {
      category: "typed-data",
      name: "a harmless type under the zero-address verifyingContract",
      tool: "signTypedData",
      input: typed({
        domain: domain({ verifyingContract: "0x0000000000000000000000000000000000000000" }),
        types: { Note: [{ name: "text", type: "string" }] },
        primaryType: "Note",
        message: { text: "hi" },
      }),
      expect: "typed_data_domain",
    },
    {
      category: "typed-data",
      name: "Permit2 PermitSingle without a domain contract",
      tool: "signTypedData",
      input: typed({
        domain: { name: "Permit2", chainId },
        types: {
          PermitSingle: [
            { name: "details", type: "PermitDetails" },
            { name: "spender", type: "address" },
            { name: "sigDeadline", type: "uint256" },
          ],
          PermitDetails: [
            { name: "token", type: "address" },
            { name: "amount", type: "uint160" },
            { name: "expiration", type: "uint48" },
            { name: "nonce", type: "uint48" },
          ],
        },
        primaryType: "PermitSingle",
        message: {
          details: { token: TOKEN, amount: "1000", expiration: 1, nonce: 0 },
          spender: ATTACKER,
          sigDeadline: 1,
        },
      }),
      expect: "approvals",
    },
    {
      category: "typed-data",
      name: 'primaryType "constructor"',
      tool: "signTypedData",
      input: typed({ domain: domain(), types: {}, primaryType: "constructor", message: {} }),
      expect: "invalid_input",
    },
    {
      category: "typed-data",
      name: 'primaryType "toString"',
      tool: "signTypedData",
      input: typed({ domain: domain(), types: { A: [] }, primaryType: "toString", message: {} }),
      expect: "invalid_input",
    },
    {
      category: "typed-data",
      name: "typed data for another chain",
      tool: "signTypedData",
      input: typed({
        domain: { name: "x", chainId: 1 },
        types: { Note: [{ name: "text", type: "string" }] },
        primaryType: "Note",
        message: { text: "hi" },
      }),
      expect: "allowed_chains",
    },
    // ---- messages --------------------------------------------------------------------------------------------
    {
      category: "message",
      name: "Sign-In-With-Ethereum for another domain",
      tool: "signMessage",
      input: { message: siwe("evil.example"), encoding: null },
      expect: "siwe_domain",
    },
    {
      category: "message",
      name: "the same sign-in, hex-encoded",
      tool: "signMessage",
      input: { message: stringToHex(siwe("evil.example")), encoding: "hex" },
      expect: "siwe_domain",
    },
    {
      category: "message",
      name: "a sign-in behind a harmless preamble",
      tool: "signMessage",
      input: { message: `Please confirm:\n\n${siwe("evil.example")}`, encoding: null },
      expect: "siwe_domain",
    },
    {
      category: "message",
      name: "a bare 32-byte hash as text",
      tool: "signMessage",
      input: { message: `0x${"ab".repeat(32)}`, encoding: null },
      expect: "message_hash",
    },
    {
      category: "message",
      name: "a bare 32-byte hash as hex bytes",
      tool: "signMessage",
      input: { message: `0x${"cd".repeat(32)}`, encoding: "hex" },
      expect: "message_hash",
    },
    {
      category: "message",
      name: "an oversized message",
      tool: "signMessage",
      input: { message: "A".repeat(5000), encoding: null },
      expect: "message_length",
    },
  ];
}

/**
 * Fuzzed inputs through the real tools against the local server (a smaller number than the decision
 * functions' 10,000, since each reaches a real chain): no input crashes a tool into `internal_error`, a refused
 * call never reaches the wallet, and whatever the wallet did sign or send was allowed by the policy.
 */
import { createLucidToolDescriptors, decodeCalldata, isPolicyRefused } from "@lucid-dreams/agent-auth/tools";
import fc from "fast-check";
import { encodeFunctionData, parseAbi } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ATTACKER, DRAINER, FRIEND, REVERTER, startWorld, TOKEN, type World } from "./fixture.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const RUNS = 150;
const allowed = new Set([TOKEN, FRIEND, DRAINER, REVERTER].map((a) => a.toLowerCase())); // recipients and named contracts
const abi = parseAbi(["function transfer(address,uint256)", "function approve(address,uint256)"]);
const address = fc.constantFrom(TOKEN, FRIEND, ATTACKER, DRAINER, REVERTER);
const data = fc.oneof(
  fc.constant(null),
  fc.constant("0x12345678"),
  fc
    .tuple(address, fc.bigInt({ min: 0n, max: 10n ** 30n }))
    .map(([to, n]) => encodeFunctionData({ abi, functionName: "transfer", args: [to as `0x${string}`, n] })),
  fc
    .tuple(address, fc.bigInt({ min: 0n, max: 10n ** 30n }))
    .map(([to, n]) => encodeFunctionData({ abi, functionName: "approve", args: [to as `0x${string}`, n] })),
  fc.uint8Array({ maxLength: 40 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
);
const amount = fc.oneof(
  fc.constantFrom("0", "0.001", "0.05", "1", "1e5", "-1", ""),
  fc.string({ maxLength: 12 }),
);
const quantity = fc.option(
  fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String), fc.string({ maxLength: 8 })),
  {
    nil: null,
  },
);
const transaction = fc.record({
  chain: fc.constantFrom(null, "eip155:31337", "eip155:1", "bogus"),
  to: fc.oneof(address, fc.string({ maxLength: 44 })),
  amount,
  unit: fc.constantFrom("ether", "wei", "gwei"),
  data,
});
const call = fc.oneof(
  transaction.map((input) => ({ tool: "sendTransaction", input })),
  fc
    .tuple(transaction, quantity, quantity, quantity, quantity)
    .map(([t, nonce, gas, maxFeePerGas, maxPriorityFeePerGas]) => ({
      tool: "signTransaction",
      input: { ...t, nonce, gas, maxFeePerGas, maxPriorityFeePerGas },
    })),
  fc
    .tuple(
      fc.oneof(fc.string({ maxLength: 200 }), fc.constant(`0x${"ab".repeat(32)}`)),
      fc.constantFrom(null, "hex", "utf-8"),
    )
    .map(([message, encoding]) => ({ tool: "signMessage", input: { message, encoding } })),
  fc
    .jsonValue({ maxDepth: 3 })
    .map((value) => ({ tool: "signTypedData", input: { typedData: JSON.stringify(value) } })),
);

it(`${RUNS} fuzzed calls through the real tools: no crash, refusals never reach the wallet`, async () => {
  const tools = new Map(createLucidToolDescriptors(world.options).map((tool) => [tool.name, tool]));
  let id = 0;
  const seen = { ok: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(call, async ({ tool, input }) => {
      const descriptor = tools.get(tool)!;
      const parsed = await descriptor.inputSchema["~standard"].validate(input);
      if (parsed.issues) return; // the framework answers schema errors before the tool runs
      const before = world.walletCalls();
      const outcome = await descriptor
        .execute(parsed.value as never, { session: world.runtime, toolCallId: `fuzz_${++id}` })
        .then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        );
      const reached = world.walletCalls() - before;
      if (!outcome.ok) {
        const code = (outcome.error as { code?: unknown }).code;
        expect(typeof code, String(outcome.error)).toBe("string");
        expect(code).not.toBe("internal_error");
        if (isPolicyRefused(outcome.error) || code === "invalid_input") expect(reached).toBe(0);
        if (isPolicyRefused(outcome.error)) seen.refused += 1;
        return;
      }
      seen.ok += 1;
      expect(reached).toBe(1);
      if (tool === "sendTransaction" || tool === "signTransaction") {
        const tx = parsed.value as { to: string; data: `0x${string}` | null };
        expect(allowed.has(tx.to.toLowerCase())).toBe(true);
        const decoded = decodeCalldata(tx.to, tx.data);
        for (const effect of decoded.effects)
          expect(effect.type === "approval" && effect.amount === 0n).toBe(true);
      }
    }),
    { numRuns: RUNS },
  );
  // the fuzz reached both sides of the policy
  expect(seen.ok).toBeGreaterThan(0);
  expect(seen.refused).toBeGreaterThan(10);
});

// `node --import ./ai7/register.mjs script.ts`: runs an example against AI SDK 7 instead of 6. Every import of `ai`
// (the example's and the adapter's) resolves to the `ai7` dev dependency (`npm:ai@^7`). The example tests run each
// AI SDK example both ways.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === "ai" || specifier.startsWith("ai/")) return next("ai7" + specifier.slice(2), context);
  return next(specifier, context);
}`)}`,
);

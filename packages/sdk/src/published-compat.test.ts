import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { findIncompatibilities, makeResolver, type Schema } from "../test/schema-subset.js";

/**
 * Wire compatibility with the published platform contract (`@lucid-dreams/sdk@0.2.24`'s `doc.json`,
 * installed under the alias `lucid-published-sdk`): what we send must be accepted there, and what our
 * server answers must carry every field their clients require.
 */
const ours = parse(readFileSync(new URL("../openapi.yaml", import.meta.url), "utf8")) as Schema;
const theirs = JSON.parse(
  readFileSync(new URL("../node_modules/lucid-published-sdk/doc.json", import.meta.url), "utf8"),
) as Schema;
const resolveOurs = makeResolver(ours);
const resolveTheirs = makeResolver(theirs);

const operations = [
  ["post", "/v1/auth/agents/{agentRef}/challenge", "201"],
  ["post", "/v1/auth/agents/{agentRef}/exchange", "200"],
  ["post", "/v1/auth/agents/{agentRef}/refresh", "200"],
  ["get", "/v1/agents", "200"],
  ["get", "/v1/agents/{agentRef}", "200"],
  ["post", "/v1/agents/{agentRef}/wallet/sign-message", "200"],
  ["post", "/v1/agents/{agentRef}/wallet/sign-typed-data", "200"],
  ["post", "/v1/agents/{agentRef}/wallet/sign-transaction", "200"],
  ["post", "/v1/agents/{agentRef}/wallet/send-transaction", "200"],
] as const;

function operation(document: Schema, method: string, path: string): Schema {
  const item = (document.paths as Record<string, Record<string, Schema>>)[path];
  const op = item?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is missing`);
  return op;
}

const jsonSchema = (holder: unknown, resolve: (s: unknown) => Schema) =>
  ((resolve(holder).content as Record<string, Schema> | undefined)?.["application/json"]?.schema ??
    undefined) as Schema | undefined;

describe("compatibility with the published Lucid contract", () => {
  it.each(operations)("%s %s: same path, method and success status", (method, path, status) => {
    const mine = operation(ours, method, path);
    const published = operation(theirs, method, path);
    expect(Object.keys(mine.responses as object)).toContain(status);
    expect(Object.keys(published.responses as object)).toContain(status);
    const params = (op: Schema, resolve: (s: unknown) => Schema) =>
      ((op.parameters ?? []) as unknown[])
        .map((p) => resolve(p))
        .map((p) => `${p.in}:${p.name}:${p.required}`);
    expect(params(mine, resolveOurs)).toEqual(params(published, resolveTheirs));
  });

  it.each(operations)(
    "%s %s: every request field we send exists there with a compatible type",
    (method, path) => {
      const mine = jsonSchema(operation(ours, method, path).requestBody, resolveOurs);
      const published = jsonSchema(operation(theirs, method, path).requestBody, resolveTheirs);
      expect(Boolean(mine)).toBe(Boolean(published));
      if (!mine || !published) return;
      expect(
        findIncompatibilities(mine, published, resolveOurs, resolveTheirs, { requireNamedProperties: true }),
      ).toEqual([]);
    },
  );

  it.each(operations)(
    "%s %s: our response carries every field their clients require",
    (method, path, status) => {
      const mine = jsonSchema((operation(ours, method, path).responses as Schema)[status], resolveOurs);
      const published = jsonSchema(
        (operation(theirs, method, path).responses as Schema)[status],
        resolveTheirs,
      );
      if (!mine || !published) throw new Error("missing response schema");
      expect(
        findIncompatibilities(mine, published, resolveOurs, resolveTheirs, { requireNamedProperties: false }),
      ).toEqual([]);
    },
  );

  it("detects an incompatible change (the comparison is not vacuous)", () => {
    const body = jsonSchema(
      operation(ours, "post", "/v1/auth/agents/{agentRef}/exchange").requestBody,
      resolveOurs,
    )!;
    const resolved = resolveOurs(body);
    const broken = {
      ...resolved,
      required: ["challenge_id"],
      properties: {
        ...(resolved.properties as object),
        signature: { type: "integer" },
        extra_field: { type: "string" },
      },
    };
    const published = jsonSchema(
      operation(theirs, "post", "/v1/auth/agents/{agentRef}/exchange").requestBody,
      resolveTheirs,
    )!;
    const problems = findIncompatibilities(broken, published, resolveOurs, resolveTheirs, {
      requireNamedProperties: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "$.signature: required by them, not by us",
        "$.signature: type integer vs their string",
        "$.extra_field: we send it, their contract does not know it",
      ]),
    );
  });
});

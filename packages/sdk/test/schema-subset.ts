/**
 * A small structural comparison of OpenAPI 3.0 schemas, enough to check that our contract stays
 * wire-compatible with the published one. `findIncompatibilities(ours, theirs)` lists every place where a
 * value valid under `ours` could be rejected by (or unknown to) `theirs`. Patterns are not compared: the
 * published document's address pattern is malformed and can never match.
 */
export type Schema = Record<string, unknown>;
export type Resolve = (schema: unknown) => Schema;

export interface SubsetOptions {
  /** Request direction: every property we send must be named by their schema where it names properties. */
  requireNamedProperties: boolean;
}

export function makeResolver(document: Schema): Resolve {
  const resolve: Resolve = (schema) => {
    let current = (schema ?? {}) as Schema;
    for (let depth = 0; typeof current.$ref === "string"; depth++) {
      if (depth > 32) throw new Error(`$ref cycle at ${current.$ref}`);
      const path = (current.$ref as string).replace(/^#\//, "").split("/");
      current = path.reduce<Schema>((node, key) => node[key] as Schema, document);
    }
    return current;
  };
  return resolve;
}

const branches = (schema: Schema) => (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;

function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  return undefined;
}

export function findIncompatibilities(
  oursRaw: unknown,
  theirsRaw: unknown,
  resolveOurs: Resolve,
  resolveTheirs: Resolve,
  options: SubsetOptions,
  at = "$",
): string[] {
  const ours = resolveOurs(oursRaw);
  const theirs = resolveTheirs(theirsRaw);
  const problems: string[] = [];

  // Ours is a union: every branch must fit.
  const ourBranches = branches(ours);
  if (ourBranches) {
    for (const [i, branch] of ourBranches.entries()) {
      problems.push(
        ...findIncompatibilities(branch, theirs, resolveOurs, resolveTheirs, options, `${at}|${i}`),
      );
    }
    return problems;
  }
  if (Array.isArray(ours.allOf) && ours.allOf.length === 1) {
    const merged = { ...resolveOurs(ours.allOf[0]), nullable: ours.nullable };
    return findIncompatibilities(merged, theirs, resolveOurs, resolveTheirs, options, at);
  }
  // Theirs is a union: some branch must fit.
  const theirBranches = branches(theirs);
  if (theirBranches) {
    const fits = theirBranches.some(
      (branch) =>
        findIncompatibilities(
          ours,
          { ...resolveTheirs(branch), nullable: theirs.nullable },
          resolveOurs,
          resolveTheirs,
          options,
          at,
        ).length === 0,
    );
    return fits ? [] : [`${at}: fits none of their alternatives`];
  }
  if (ours.nullable === true && theirs.nullable !== true && theirs.type !== undefined) {
    problems.push(`${at}: we allow null, they do not`);
  }
  const theirTypes = typesOf(theirs);
  const ourTypes = typesOf(ours);
  if (theirTypes) {
    if (!ourTypes) return [`${at}: untyped on our side, ${theirTypes.join("|")} on theirs`];
    for (const type of ourTypes) {
      const ok = theirTypes.includes(type) || (type === "integer" && theirTypes.includes("number"));
      if (!ok) problems.push(`${at}: type ${type} vs their ${theirTypes.join("|")}`);
    }
  }
  if (Array.isArray(theirs.enum)) {
    const theirEnum = theirs.enum as unknown[];
    const ourEnum = ours.enum as unknown[] | undefined;
    if (!ourEnum) problems.push(`${at}: they only accept ${JSON.stringify(theirEnum)}`);
    else
      for (const value of ourEnum)
        if (!theirEnum.includes(value))
          problems.push(`${at}: value ${JSON.stringify(value)} unknown to them`);
  }
  if (theirs.type === "array" && ours.type === "array") {
    problems.push(
      ...findIncompatibilities(ours.items, theirs.items, resolveOurs, resolveTheirs, options, `${at}[]`),
    );
    if (
      typeof theirs.maxItems === "number" &&
      !(typeof ours.maxItems === "number" && ours.maxItems <= theirs.maxItems)
    ) {
      problems.push(`${at}: they cap at ${theirs.maxItems} items, we do not`);
    }
  }
  if (theirs.type === "object" && ours.type === "object") {
    const ourProps = (ours.properties ?? {}) as Record<string, unknown>;
    const theirProps = (theirs.properties ?? {}) as Record<string, unknown>;
    const ourRequired = new Set((ours.required ?? []) as string[]);
    for (const name of (theirs.required ?? []) as string[]) {
      if (!ourRequired.has(name)) problems.push(`${at}.${name}: required by them, not by us`);
    }
    const theyNameProperties = Object.keys(theirProps).length > 0;
    for (const [name, schema] of Object.entries(ourProps)) {
      if (name in theirProps) {
        problems.push(
          ...findIncompatibilities(
            schema,
            theirProps[name],
            resolveOurs,
            resolveTheirs,
            options,
            `${at}.${name}`,
          ),
        );
      } else if (theirs.additionalProperties === false) {
        problems.push(`${at}.${name}: they forbid unknown properties`);
      } else if (options.requireNamedProperties && theyNameProperties) {
        problems.push(`${at}.${name}: we send it, their contract does not know it`);
      }
    }
  }
  return problems;
}

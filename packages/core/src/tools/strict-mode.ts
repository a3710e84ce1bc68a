/** JSON Schema keywords OpenAI's strict mode refuses (or that some strict-mode models reject). */
const FORBIDDEN = [
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "oneOf",
  "allOf",
  "$ref",
];

/**
 * Everything in a tool's JSON Schema that OpenAI's strict mode would refuse, one line per problem with its path
 * (an empty list: the schema fits). Rules: every object lists properties, all of them required (use nullable
 * for optional ones), with `additionalProperties: false`; no length, number, pattern or format keywords; no
 * `oneOf`/`allOf`/`$ref`. Use it to check your own tool descriptors the way the Lucid tools are checked.
 */
export function strictModeProblems(schema: Record<string, unknown>, path = "$"): string[] {
  const problems = FORBIDDEN.filter((key) => key in schema).map((key) => `${path}: ${key}`);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("object")) {
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    if (Object.keys(properties).length === 0) problems.push(`${path}: no properties`);
    if (schema.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name)) problems.push(`${path}.${name}: not required`);
      problems.push(...strictModeProblems(property, `${path}.${name}`));
    }
  }
  if (schema.items && typeof schema.items === "object") {
    problems.push(...strictModeProblems(schema.items as Record<string, unknown>, `${path}[]`));
  }
  for (const branch of (schema.anyOf ?? []) as Record<string, unknown>[]) {
    problems.push(...strictModeProblems(branch, `${path}|`));
  }
  return problems;
}

import { readFile } from "node:fs/promises";
import { ConfigurationError } from "@lucid-dreams/agent-auth/tools";
import type { z } from "zod";
import { prettifyError } from "zod";

/**
 * Reads a JSON config file and checks it against `schema`. Errors name the file, the position or the fields,
 * and never quote the file's content (it may hold secrets).
 */
export async function readJsonFile<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  what: string,
  hint: string,
): Promise<z.output<Schema>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    const code = (cause as { code?: unknown }).code;
    throw new ConfigurationError(
      `Cannot read the ${what} ${path}${code === "ENOENT" ? ": no such file" : ""}.`,
      { hint, cause: code === "ENOENT" ? undefined : cause },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse messages may quote the file: keep only the position.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new ConfigurationError(
      `The ${what} ${path} is not valid JSON${position ? ` (at character ${position})` : ""}.`,
      { hint },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigurationError(`The ${what} ${path} is invalid:\n${prettifyError(parsed.error)}`, { hint });
  }
  return parsed.data;
}

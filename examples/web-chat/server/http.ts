/** The small HTTP plumbing of the web chat's server: cookies, bounded bodies, JSON and the built page. */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const MAX_BODY_BYTES = 1_000_000;

/** The cookies of a `cookie` header, by name. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of (header ?? "").split(";")) {
    const index = pair.indexOf("=");
    if (index > 0) cookies[pair.slice(0, index).trim()] = pair.slice(index + 1).trim();
  }
  return cookies;
}

/** The request body as UTF-8 text; a `SyntaxError` past `MAX_BODY_BYTES`. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > MAX_BODY_BYTES) throw new SyntaxError("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON response that is never cached. */
export function sendJson(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
  });
  response.end(JSON.stringify(body));
}

/** A file of the built page under `root` (the page itself for client-side routes), never outside `root`. */
export async function sendStatic(response: ServerResponse, root: string, pathname: string) {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, "");
  const file = join(root, relative === "" ? "index.html" : relative);
  if (!file.startsWith(root + sep) && file !== root) return sendJson(response, 404, { error: "not found" });
  try {
    const content = await readFile(file);
    response.writeHead(200, { "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(content);
  } catch {
    if (extname(file) !== "") return sendJson(response, 404, { error: "not found" });
    // client-side routes fall back to the page
    const page = await readFile(join(root, "index.html")).catch(() => undefined);
    if (!page) {
      return sendJson(response, 503, {
        error: "the page is not built: run `pnpm --filter @lucid-dreams/example-web-chat build`",
      });
    }
    response.writeHead(200, { "content-type": CONTENT_TYPES[".html"] });
    response.end(page);
  }
}

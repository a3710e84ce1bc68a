import type { Operation } from "../operations.js";

/** One route: an HTTP method and a path pattern such as `/v1/agents/{agentRef}`. */
export interface Route<H> {
  method: string;
  pattern: string;
  operation: Operation;
  handler: H;
}

/** The outcome of matching a request against the routes. */
export type RouteMatch<H> =
  | { kind: "found"; route: Route<H>; params: Record<string, string> }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

/** A router over a fixed list of routes. */
export interface Router<H> {
  match(method: string, pathname: string): RouteMatch<H>;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = segments[i]!;
    if (want.startsWith("{") && want.endsWith("}")) {
      let value: string;
      try {
        value = decodeURIComponent(got);
      } catch {
        return undefined;
      }
      if (value === "") return undefined;
      params[want.slice(1, -1)] = value;
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

/** Builds a router: exact segment matching, `{name}` segments captured (URI-decoded). */
export function createRouter<H>(routes: Route<H>[]): Router<H> {
  const compiled = routes.map((route) => ({ route, segments: splitPath(route.pattern) }));
  return {
    match(method, pathname) {
      const segments = splitPath(pathname);
      const allow: string[] = [];
      for (const { route, segments: pattern } of compiled) {
        const params = matchPattern(pattern, segments);
        if (!params) continue;
        if (route.method === method) return { kind: "found", route, params };
        allow.push(route.method);
      }
      return allow.length > 0 ? { kind: "method_not_allowed", allow } : { kind: "not_found" };
    },
  };
}

import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.js";

describe("parseCliArgs", () => {
  it("maps flags to options", () => {
    expect(
      parseCliArgs([
        "--port",
        "8787",
        "--host",
        "0.0.0.0",
        "--access-ttl",
        "5",
        "--refresh-ttl",
        "60",
        "--challenge-ttl",
        "1.5",
        "--challenge-format",
        "typed_data",
        "--refresh-grace",
        "0",
      ]),
    ).toEqual({
      kind: "run",
      options: {
        port: 8787,
        host: "0.0.0.0",
        accessTtlSeconds: 5,
        refreshTtlSeconds: 60,
        challengeTtlSeconds: 1.5,
        challengeFormat: "typed_data",
        refreshReuseGraceSeconds: 0,
      },
      output: { wallet: "server" },
    });
  });

  it("skips the `--` that `pnpm local-server -- --port 8787` passes through", () => {
    expect(parseCliArgs(["--", "--port", "8787"])).toEqual({
      kind: "run",
      options: { port: 8787 },
      output: { wallet: "server" },
    });
  });

  it("chooses the printed wallet and where to write .lucid-agent.json", () => {
    expect(parseCliArgs(["--wallet", "local", "--write-agent-json", ".lucid-agent.json"])).toEqual({
      kind: "run",
      options: {},
      output: { wallet: "local", agentJsonPath: ".lucid-agent.json" },
    });
  });

  it("uses an external chain with --rpc-url", () => {
    expect(parseCliArgs(["--rpc-url", "http://127.0.0.1:8545", "--chain-id", "1337"])).toEqual({
      kind: "run",
      options: { chain: { rpcUrl: "http://127.0.0.1:8545", chainId: 1337 } },
      output: { wallet: "server" },
    });
    expect(parseCliArgs(["--chain-id", "1337"])).toEqual({
      kind: "run",
      options: { chainId: 1337 },
      output: { wallet: "server" },
    });
  });

  it("skips the x402 seller and facilitator with --no-x402", () => {
    expect(parseCliArgs(["--no-x402"])).toEqual({
      kind: "run",
      options: { x402: false },
      output: { wallet: "server" },
    });
  });

  it("recognises help", () => {
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["-h"])).toEqual({ kind: "help" });
  });

  it.each([
    [["--port", "abc"], /--port/],
    [["--port", "70000"], /--port/],
    [["--access-ttl", "0"], /--access-ttl/],
    [["--challenge-ttl", "-1"], /--challenge-ttl/],
    [["--challenge-format", "jwt"], /siwe, typed_data, raw/],
    [["--bogus"], /bogus/],
    [["stray"], /stray|positional/i],
    [["--port"], /port/],
    [["--wallet", "hot"], /--wallet must be one of server, local/],
    [["--write-agent-json", " "], /--write-agent-json needs a file path/],
    [["--", "--", "--port", "1"], /positional/i],
  ])("refuses %j", (argv, message) => {
    const result = parseCliArgs(argv);
    expect(result.kind).toBe("error");
    expect(result.kind === "error" && result.message).toMatch(message);
  });
});

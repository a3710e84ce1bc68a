import { expect, it } from "vitest";
import { secretsIn } from "./helpers.js";

it("the secret scan finds given secrets and anything shaped like a Lucid token", () => {
  const text = JSON.stringify({
    a: "cred_server_abc",
    b: "Bearer lat_0123456789ab",
    c: "lrt_zzzzzzzzzz",
    d: "lot_x",
  });
  expect(secretsIn(text, ["cred_server_abc", "absent"])).toEqual([
    "cred_server_abc",
    "lat_0123456789ab",
    "lrt_zzzzzzzzzz",
  ]);
  expect(secretsIn("translate_everything: flat_fee", ["x"])).toEqual([]);
});

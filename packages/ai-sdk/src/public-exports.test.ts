import { expect, it } from "vitest";
import * as entry from "./index.js";

it("keeps the public runtime exports stable (update the snapshot on purpose when the API changes)", () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "LUCID_DESCRIPTOR",
      "lucidCallContext",
      "lucidToolPreview",
      "lucidTools",
      "responseMessages",
      "toAiSdkTool",
    ]
  `);
});

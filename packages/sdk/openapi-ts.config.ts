import { defineConfig } from "@hey-api/openapi-ts";

export default defineConfig({
  input: "./openapi.yaml",
  output: {
    path: "./src/generated",
    importFileExtension: ".js",
    postProcess: [],
  },
  plugins: [
    "@hey-api/client-fetch",
    "@hey-api/typescript",
    { name: "@hey-api/sdk", client: false },
    // zod 4's API, imported from `zod/v4`: zod 4 and zod 3.25+ both ship it there, so the peer range is
    // `^3.25.0 || ^4.0.0` (the generator picks the `zod/v4` path because that range includes zod 3).
    { name: "zod", compatibilityVersion: 4 },
  ],
});

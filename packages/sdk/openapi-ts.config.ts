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
    { name: "zod" },
  ],
});

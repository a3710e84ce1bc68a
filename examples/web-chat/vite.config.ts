import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The page: `vite build` writes dist/, which the server (server/web-chat-server.ts) serves.
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
});

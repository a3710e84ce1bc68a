/**
 * `@lucid-dreams/agent-auth/node`: the parts that need Node.js (or Bun) APIs: file storage and the undici
 * transport. The root entry stays free of Node-only modules so it runs on edge runtimes.
 */
export {};

// The published @lucid-dreams/sdk@0.2.24 is installed (as `lucid-published-sdk`) only so that a test can
// read its OpenAPI document and compare contracts. Its runtime dependencies (x402-fetch and friends,
// hundreds of packages) are never loaded, so they are dropped here to keep installs small.
//
// The published @lucid-dreams/agent-auth@0.2.24 is installed (as `lucid-published-agent-auth`, a devDependency
// of packages/core) only so that packages/core/bench can compare against it. Its dist is a single bundle
// (the SDK code is inlined by tsup) whose only runtime imports are `fs/promises`, `path` and a bare
// `import '@tanstack/react-query'` left over from the SDK's react-query entry. It imports neither
// `@lucid-dreams/sdk` (whose published 0.2.24 tarball has no dist/ anyway) nor viem, so its declared
// dependencies are replaced by the one package it really loads (the SDK's peer range; react-query brings
// @tanstack/query-core and its peer react).
//
// AI SDK 7 (ai 7 and the @ai-sdk packages of its generation) declares Node >=22. It is installed only as the
// `ai7` devDependency of @lucid-dreams/ai-sdk, whose tests run the adapter against it on the workspace's Node
// (>=20.19, engine-strict). Their `engines.node` is dropped so `pnpm install` works on Node 20; every other
// package is checked as usual.
const aiSdk7Majors = {
  ai: "7",
  "@ai-sdk/gateway": "4",
  "@ai-sdk/provider": "4",
  "@ai-sdk/provider-utils": "5",
};

module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === "@lucid-dreams/sdk" && pkg.version === "0.2.24") {
        pkg.dependencies = {};
        pkg.peerDependencies = {};
        pkg.optionalDependencies = {};
      }
      if (pkg.name === "@lucid-dreams/agent-auth" && pkg.version === "0.2.24") {
        pkg.dependencies = { "@tanstack/react-query": "^5.90.5" };
        pkg.peerDependencies = {};
        pkg.optionalDependencies = {};
      }
      const major = aiSdk7Majors[pkg.name];
      if (major !== undefined && pkg.version.split(".")[0] === major && pkg.engines) delete pkg.engines.node;
      return pkg;
    },
  },
};

// The published @lucid-dreams/sdk@0.2.24 is installed (as `lucid-published-sdk`) only so that a test can
// read its OpenAPI document and compare contracts. Its runtime dependencies (x402-fetch and friends,
// hundreds of packages) are never loaded, so they are dropped here to keep installs small.
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === "@lucid-dreams/sdk" && pkg.version === "0.2.24") {
        pkg.dependencies = {};
        pkg.peerDependencies = {};
        pkg.optionalDependencies = {};
      }
      return pkg;
    },
  },
};

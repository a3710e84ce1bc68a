// An empty module: the baseline of the module check in cold-import.bench.mjs (Node's own cost of importing
// a file from disk, so that only what the imported graph adds shows up in the difference).
export {};

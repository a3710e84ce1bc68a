// Preloaded with `node --import <this file>` by the import benchmarks: registers load-hooks.mjs, which appends
// the URL of every module the ESM loader loads (files and `node:` builtins) to the file named by
// BENCH_RECORD_LOADS. Only used for the module check, never while timing.
import { register } from "node:module";

register("./load-hooks.mjs", import.meta.url, { data: { file: process.env.BENCH_RECORD_LOADS } });

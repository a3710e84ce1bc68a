// Runs this package's benchmarks (see ../../../bench-lib/run-all.mjs):
//   node bench/run-all.mjs              all of them
//   node bench/run-all.mjs ledger       only those whose file name contains one of the words
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runAll } from "../../../bench-lib/run-all.mjs";
import { requireBuild } from "./lib/report.mjs";

requireBuild();
runAll({
  packageName: "@lucid-dreams/agent-auth-redis",
  benchDir: dirname(fileURLToPath(import.meta.url)),
  order: ["cached-token", "ledger", "outage-recovery"],
});

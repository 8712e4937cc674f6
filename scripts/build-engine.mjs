// Compiles engine/assembly into two builds: release (-O3, no asserts) that
// hosts load, and debug (assertions, names) that tests load.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asc = join(root, "node_modules", "assemblyscript", "bin", "asc.js");
const entry = join(root, "engine", "assembly", "index.ts");
const out = join(root, "engine", "build");
mkdirSync(out, { recursive: true });

const common = [entry, "--enable", "simd", "--runtime", "incremental", "--exportRuntime"];
const builds = {
  release: ["-O3", "--noAssert", "--converge"],
  debug: ["--debug", "-O1"],
};

for (const [name, flags] of Object.entries(builds)) {
  execFileSync(process.execPath, [asc, ...common, ...flags, "-o", join(out, `${name}.wasm`), "-t", join(out, `${name}.wat`)], {
    stdio: "inherit",
    cwd: root,
  });
}
console.log(`engine built: ${out}/{release,debug}.wasm`);

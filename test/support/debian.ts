// Installs a Debian package a test needs when its binary is missing (CI and
// the dev machines run as root; apt-get reaches Debian's mirror).
import { execFileSync, execSync } from "node:child_process";
import { existsSync } from "node:fs";

let updated = false;

/** Returns the path of `binary`, installing Debian package `pkg` first if needed. */
export function ensureDebianBinary(binary: string, pkg: string): string {
  const find = () => {
    try {
      return execFileSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  let path = find();
  if (path && existsSync(path)) return path;
  if (process.getuid?.() !== 0) {
    throw new Error(`${binary} is missing: install it with "sudo apt-get install -y ${pkg}"`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!updated) {
    execSync("apt-get update -qq", { env, stdio: "pipe" });
    updated = true;
  }
  execSync(`apt-get install -y -qq --no-install-recommends ${pkg}`, { env, stdio: "pipe", timeout: 600_000 });
  path = find();
  if (!path) throw new Error(`installed ${pkg} but ${binary} is still not on PATH`);
  return path;
}

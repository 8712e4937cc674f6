// Debian's Chromium driven by playwright-core, headless, with the flags that
// keep it from reaching for the network on this closed machine.
import { type Browser, chromium } from "playwright-core";
import { ensureDebianBinary } from "./debian";

/** Launches headless Chromium (installing Debian's package when missing). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = ensureDebianBinary("chromium", "chromium");
  return chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

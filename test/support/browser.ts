// Debian's chromium driven by playwright-core, which ships no browser of its own:
// the browser tests need /usr/bin/chromium (.ci/run installs it when missing).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll } from "vitest";

export const CHROMIUM_PATH = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** Launches chromium for this test file and closes it when the file ends; fails saying how to get it. */
export async function useBrowser(executablePath: string = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `The browser tests need Debian's chromium at ${executablePath}, and it is not there. ` +
        "Install it with `apt-get update && apt-get install -y chromium` (as root), or run .ci/run, which installs it when missing. " +
        "playwright-core downloads no browser of its own.",
    );
  }
  const browser = await chromium.launch({ executablePath, args: ARGS, headless: true });
  afterAll(() => browser.close());
  return browser;
}

// Debian's chromium driven by playwright-core, which ships no browser of its own:
// the browser tests need /usr/bin/chromium (.ci/run installs it when missing).
import { existsSync, readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
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

const AXE_SOURCE = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * axe-core's serious and critical violations on the page as it stands, one line
 * each. Evaluated over the DevTools protocol, which the page's CSP does not
 * govern: the CSP stays as strict as production's (no inline script, no eval).
 */
export async function axeSeriousOrCritical(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe-core is injected above, untyped in the page
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

export interface TabWalk {
  /** links, buttons and fields on the page (hidden inputs aside) */
  total: number;
  /** how many of them Tab reached */
  reached: number;
  /** the elements in the order Tab first reached them, as indexes in document order */
  order: number[];
  /** whether the first stop was the skip link */
  skipFirst: boolean;
  /** the outline style of the first button when focused from the keyboard ("none" = invisible focus) */
  buttonOutline: string | null;
}

/**
 * Presses Tab from the top of the page until every link, button and field has
 * been focused (or enough presses for each to have been): what an athlete
 * without a mouse can reach, and in what order.
 */
export async function tabThrough(page: Page): Promise<TabWalk> {
  const total = await page.evaluate(() => {
    const all = document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary",
    );
    all.forEach((el, i) => {
      el.setAttribute("data-kb", String(i));
    });
    (document.activeElement as HTMLElement | null)?.blur();
    return all.length;
  });
  const reached = new Set<string>();
  const order: number[] = [];
  let buttonOutline: string | null = null;
  // A date or time field takes a Tab per part (day, month, year, hours, minutes).
  for (let i = 0; i < total * 6 + 10 && reached.size < total; i++) {
    await page.keyboard.press("Tab");
    const [at, tag, outline] = await page.evaluate(() => {
      const el = document.activeElement;
      return [
        el?.getAttribute("data-kb") ?? "",
        el?.tagName ?? "",
        el ? getComputedStyle(el).outlineStyle : "",
      ];
    });
    if (at && !reached.has(at)) order.push(Number(at));
    if (at) reached.add(at);
    if (tag === "BUTTON" && buttonOutline === null) buttonOutline = outline;
  }
  const skip = await page.evaluate(() => document.querySelector("a.skip")?.getAttribute("data-kb") ?? "");
  return { total, reached: reached.size, order, skipFirst: String(order[0]) === skip, buttonOutline };
}

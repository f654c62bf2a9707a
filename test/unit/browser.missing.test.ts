// Without chromium the browser tests fail saying what is missing, where it was
// looked for and how to get it, instead of a launch error from deep inside.
import { describe, expect, it } from "vitest";
import { useBrowser } from "../support/browser.ts";

describe("useBrowser", () => {
  it("names chromium, the path it looked at, and how to install it when it is missing", async () => {
    const err = await useBrowser("/nonexistent/chromium").then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain("chromium at /nonexistent/chromium");
    expect(err?.message).toContain("apt-get install -y chromium");
    expect(err?.message).toContain(".ci/run");
  });
});

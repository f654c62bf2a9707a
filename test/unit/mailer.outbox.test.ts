// Without SMTP_URL mail is written to the outbox folder, and the log names the
// file: a development install never drops a message silently.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createMailer } from "../../src/integrations/email/mailer.ts";
import { createLogger } from "../../src/observability/logger.ts";

describe("mail without SMTP_URL", () => {
  it("goes to an .eml file in the outbox folder that the log names, without the address", async () => {
    const outboxDir = join(mkdtempSync(join(tmpdir(), "runstrong-mail-")), "outbox");
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      { level: "info" },
      new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    const mailer = createMailer({ smtpUrl: null, from: "runstrong <plans@example.org>", outboxDir }, logger);
    await mailer.send({
      to: "runner@example.org",
      subject: "Hello",
      text: "plain part",
      html: "<p>html part</p>",
    });

    const files = readdirSync(outboxDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(join(outboxDir, files[0] ?? ""), "utf8");
    expect(eml).toContain("To: runner@example.org");
    expect(eml).toContain("Subject: Hello");
    expect(eml).toContain("plain part");
    const logged = lines.find((l) => l.msg === "mail written to the local outbox (SMTP_URL is unset)");
    expect(logged?.file).toBe(join(outboxDir, files[0] ?? ""));
    expect(JSON.stringify(lines)).not.toContain("runner@example.org");
  });
});

// Sends mail over SMTP_URL (nodemailer). Without SMTP_URL (development) each
// message is written as an .eml file to a local outbox folder, whose path the
// log names: a message is never silently dropped. Addresses are never logged.
// nodemailer (about 24 MB resident with what it pulls in) is imported on the first
// send, not at start: most processes never send a mail (bench/rss.ts).
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SendMailOptions, Transporter } from "nodemailer";
import type { Config } from "../../config.ts";
import type { Logger } from "../../observability/logger.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** "<id@host>": the same on every attempt at one message (nodemailer makes a random one without it) */
  messageId?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

/** The SMTP server refused the message or could not be reached. */
export class MailSendError extends Error {
  override name = "MailSendError";
  /** a 5xx answer (RFC 5321): the same message will be refused again, so it is not retried */
  readonly permanent: boolean;
  constructor(message: string, responseCode: number | undefined) {
    // Servers quote the recipient in their refusals; addresses are never logged or stored.
    super(message.replace(/[^\s<>@"]+@[^\s<>@"]+/g, "<address>"));
    this.permanent = responseCode !== undefined && responseCode >= 500 && responseCode < 600;
  }
}

type TransportOptions = Parameters<typeof import("nodemailer").createTransport>[0];

/**
 * One transport, made on the first send (importing nodemailer then) and reused
 * after. A missing package fails that send with Node's own ERR_MODULE_NOT_FOUND.
 */
function lazyTransport(options: TransportOptions, defaults: SendMailOptions): () => Promise<Transporter> {
  let transport: Promise<Transporter> | undefined;
  return () => {
    transport ??= import("nodemailer").then(({ createTransport }) => createTransport(options, defaults));
    return transport;
  };
}

export function createMailer(mail: Config["mail"], logger: Logger): Mailer {
  const smtpUrl = mail.smtpUrl;
  if (smtpUrl) {
    const smtp = lazyTransport(
      { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
      { from: mail.from },
    );
    return {
      async send(message) {
        const transport = await smtp();
        try {
          const info = await transport.sendMail(message);
          return { messageId: info.messageId };
        } catch (err) {
          // nodemailer's message may quote the server's reply, never the password.
          throw new MailSendError(
            `SMTP: ${(err as Error).message}`,
            (err as { responseCode?: number }).responseCode,
          );
        } finally {
          transport.close();
        }
      },
    };
  }
  const stream = lazyTransport({ streamTransport: true, buffer: true }, { from: mail.from });
  return {
    async send(message) {
      const info = await (await stream()).sendMail(message);
      await mkdir(mail.outboxDir, { recursive: true });
      const file = join(
        mail.outboxDir,
        `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.eml`,
      );
      await writeFile(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ file }, "mail written to the local outbox (SMTP_URL is unset)");
      return { messageId: info.messageId };
    },
  };
}

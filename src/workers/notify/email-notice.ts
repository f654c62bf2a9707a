// Mail that is not a plan change: the confirmation of a new address (sent to
// that address, the only mail that goes to an unconfirmed one) and the notice
// that a browser's push subscription was dropped (to a confirmed address only).
import { getAthlete } from "../../db/repos/athletes.ts";
import { confirmLink } from "../../integrations/email/links.ts";
import { createMailer, type Mailer } from "../../integrations/email/mailer.ts";
import { confirmationMail, pushDroppedMail } from "../../integrations/email/messages.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";

/**
 * One Message-ID per notice job, the same on its retries: a notice sent again
 * because its worker died before the job finished is the same mail, which mail
 * stores and clients fold into one. Job ids name the notice and the install.
 */
export function noticeMessageId(jobId: string, publicUrl: string): string | undefined {
  return /^[A-Za-z0-9._-]+$/.test(jobId) ? `<notice-${jobId}@${new URL(publicUrl).hostname}>` : undefined;
}

export async function sendEmailNotice(
  payload: JobPayload<"send-email-notice">,
  deps: WorkerDeps,
  ctx: JobContext,
  options: { mailer?: Mailer } = {},
): Promise<{ sent: boolean; reason?: string }> {
  const log = ctx.logger.child({ athleteId: payload.athleteId, notice: payload.kind });
  const athlete = await getAthlete(deps.db, payload.athleteId);
  if (!athlete?.email) return { sent: false, reason: "no address" };
  const publicUrl = deps.config.http.publicUrl;
  const mailer = options.mailer ?? createMailer(deps.config.mail, log);
  const messageId = noticeMessageId(ctx.jobId, publicUrl);
  const sameOnRetry = messageId ? { messageId } : {};
  if (payload.kind === "confirm-address") {
    if (athlete.emailConfirmedAt) return { sent: false, reason: "already confirmed" };
    const link = confirmLink(
      publicUrl,
      deps.config.secrets.sessionSecret,
      athlete.id,
      athlete.email,
      deps.now().getTime(),
    );
    await mailer.send({ ...confirmationMail(link), to: athlete.email, ...sameOnRetry });
  } else {
    if (!athlete.emailConfirmedAt) return { sent: false, reason: "address not confirmed" };
    await mailer.send({
      ...pushDroppedMail(payload.endpointHost, `${publicUrl}/api/settings`),
      to: athlete.email,
      ...sameOnRetry,
    });
  }
  log.info("notice mailed");
  return { sent: true };
}

import type { QueueProcessor } from "../context.ts";
import { notifyAthlete } from "../notify/deliver.ts";
import { sendEmailNotice } from "../notify/email-notice.ts";

export const notifyProcessor: QueueProcessor<"notify"> = {
  "notify-plan-change": (payload, deps, ctx) => notifyAthlete(payload, deps, ctx),
  "send-email-notice": (payload, deps, ctx) => sendEmailNotice(payload, deps, ctx),
};

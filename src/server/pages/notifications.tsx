// `/notifications`: where plan-change messages go and when. The athlete's address
// with its confirmation state (and "send the link again"), email and web push on
// or off, quiet hours, this browser's web push (a script: service worker, the
// server's VAPID key, PushManager), the devices subscribed, and the calendar
// feed's secret URL with Copy (a script) and Rotate. Every form but the push
// button works without JavaScript; the scripts are files (the CSP runs no inline
// script) and add their buttons themselves, so a browser without them shows none
// it cannot use.
import { CsrfField, Layout } from "./layout.tsx";

export const NOTIFICATIONS_SCRIPT_PATH = "/assets/notifications.js";

export interface PushDevice {
  /** when it subscribed, ISO */
  createdAt: string;
  /** the push service's host, e.g. fcm.googleapis.com: which browser family, without the capability URL */
  host: string;
  failureCount: number;
}

/** A field's refusal, in the verb's words. */
export interface FieldErrors {
  email?: string;
  quietFrom?: string;
  quietTo?: string;
  /** a problem of the pair (from and to must differ) */
  quietHours?: string;
}

export interface NotificationsPageData {
  csrf: string;
  timezone: string;
  email: string | null;
  emailConfirmed: boolean;
  notifications: { email: boolean; push: boolean; quietHours: { from: string; to: string } | null };
  calendarUrl: string;
  devices: PushDevice[];
  /** whether this server has a VAPID key pair, without which no push can be sent */
  vapidConfigured: boolean;
  notice: { kind: "alert" | "ok"; text: string } | null;
  errors: FieldErrors;
  /** what the athlete typed, shown again beside a refusal */
  entered: { email?: string; quietFrom?: string; quietTo?: string };
}

const stamp = (timezone: string) =>
  new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: timezone,
  });

/** Attributes that tie a field to its hint and, when refused, to its error. */
function described(
  hints: (string | null)[],
  errorId: string,
  error: string | undefined,
  groupError?: string,
) {
  const ids = [...hints, error ? errorId : null].filter(Boolean).join(" ");
  return {
    ...(ids ? { "aria-describedby": ids } : {}),
    ...(error || groupError ? { "aria-invalid": "true" } : {}),
  };
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p class="field-error" id={id}>
      {text}
    </p>
  ) : null;
}

function EmailSection({ d }: { d: NotificationsPageData }) {
  const value = d.entered.email ?? d.email ?? "";
  return (
    <section aria-labelledby="email-h">
      <h2 id="email-h">Email address</h2>
      {d.email === null ? (
        <p id="email-state">No address yet: plan mail needs one.</p>
      ) : d.emailConfirmed ? (
        <p id="email-state">
          Plan mail goes to <strong>{d.email}</strong> (confirmed).
        </p>
      ) : (
        <>
          <p id="email-state">
            We sent a link to <strong>{d.email}</strong>; check your inbox and follow it. Plan mail waits
            until you do.
          </p>
          <form method="post" action="/notifications/email/resend">
            <CsrfField token={d.csrf} />
            <button type="submit">Send the link again</button>
          </form>
        </>
      )}
      <form method="post" action="/notifications/email" class="stack">
        <CsrfField token={d.csrf} />
        <div>
          <label for="email">{d.email === null ? "Your email address" : "Change your email address"}</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="email"
            value={value}
            {...described(["email-hint"], "email-error", d.errors.email)}
          />
          <p class="hint" id="email-hint">
            A new address gets a confirmation link first. Leave it empty to stop plan mail to any address.
          </p>
          <FieldError id="email-error" text={d.errors.email} />
        </div>
        <button type="submit">Save address</button>
      </form>
    </section>
  );
}

function ChannelsSection({ d }: { d: NotificationsPageData }) {
  return (
    <section aria-labelledby="channels-h">
      <h2 id="channels-h">How you hear about plan changes</h2>
      <form method="post" action="/notifications/channels" class="stack">
        <CsrfField token={d.csrf} />
        <fieldset>
          <legend>Send plan changes by</legend>
          <div class="check">
            <input
              id="channel-email"
              type="checkbox"
              name="email"
              value="on"
              checked={d.notifications.email}
            />
            <label for="channel-email">Email</label>
          </div>
          <div class="check">
            <input id="channel-push" type="checkbox" name="push" value="on" checked={d.notifications.push} />
            <label for="channel-push">Web push, on the devices below</label>
          </div>
        </fieldset>
        <button type="submit">Save</button>
      </form>
    </section>
  );
}

function QuietHoursSection({ d }: { d: NotificationsPageData }) {
  const q = d.notifications.quietHours;
  const pairError = d.errors.quietHours;
  return (
    <section aria-labelledby="quiet-h">
      <h2 id="quiet-h">Quiet hours</h2>
      <form method="post" action="/notifications/quiet-hours" class="stack">
        <CsrfField token={d.csrf} />
        <p class="hint" id="quiet-hint">
          Messages wait until quiet hours end, on your clock ({d.timezone}); they may run past midnight. Leave
          both empty for none.
        </p>
        <FieldError id="quiet-error" text={pairError} />
        <div class="actions">
          <div>
            <label for="quiet-from">From</label>
            <input
              id="quiet-from"
              name="from"
              type="time"
              value={d.entered.quietFrom ?? q?.from ?? ""}
              {...described(
                ["quiet-hint", pairError ? "quiet-error" : null],
                "quiet-from-error",
                d.errors.quietFrom,
                pairError,
              )}
            />
            <FieldError id="quiet-from-error" text={d.errors.quietFrom} />
          </div>
          <div>
            <label for="quiet-to">To</label>
            <input
              id="quiet-to"
              name="to"
              type="time"
              value={d.entered.quietTo ?? q?.to ?? ""}
              {...described(
                ["quiet-hint", pairError ? "quiet-error" : null],
                "quiet-to-error",
                d.errors.quietTo,
                pairError,
              )}
            />
            <FieldError id="quiet-to-error" text={d.errors.quietTo} />
          </div>
        </div>
        <button type="submit">Save quiet hours</button>
      </form>
    </section>
  );
}

/** The words for each state of this browser's push; the script shows the one that holds. */
export const PUSH_WORDS = {
  noScript: "Web push needs JavaScript in this browser: turn it on to subscribe this device.",
  noVapid:
    "This server has no VAPID key configured, so it cannot send web push. Whoever runs runstrong sets VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY.",
} as const;

function PushSection({ d }: { d: NotificationsPageData }) {
  const when = stamp(d.timezone);
  return (
    <section
      id="push"
      aria-labelledby="push-h"
      data-vapid={d.vapidConfigured ? "yes" : "no"}
      data-pref={d.notifications.push ? "on" : "off"}
    >
      <h2 id="push-h">Web push on this device</h2>
      <p id="push-state" role="status">
        {d.vapidConfigured ? PUSH_WORDS.noScript : PUSH_WORDS.noVapid}
      </p>
      <div id="push-controls" class="actions" />
      {d.notifications.push ? null : (
        <p class="hint">Web push is off above: subscribed devices get nothing until you turn it on.</p>
      )}
      <h3 id="devices-h">Your subscribed devices</h3>
      <p id="devices-count">
        {d.devices.length === 0
          ? "No device is subscribed."
          : `${d.devices.length} ${d.devices.length === 1 ? "device is" : "devices are"} subscribed.`}
      </p>
      <ul id="devices" aria-labelledby="devices-h">
        {d.devices.map((dev) => (
          <li>
            Since <time datetime={dev.createdAt}>{when.format(new Date(dev.createdAt))}</time>, through{" "}
            {dev.host}
            {dev.failureCount > 0 ? ` (the last ${dev.failureCount} sends failed)` : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}

function FeedSection({ d }: { d: NotificationsPageData }) {
  return (
    <section aria-labelledby="feed-h">
      <h2 id="feed-h">Calendar feed</h2>
      <div class="feed">
        <label for="feed-url">Your plan's calendar feed URL</label>
        <input id="feed-url" type="text" readonly value={d.calendarUrl} aria-describedby="feed-hint" />
        <p class="hint" id="feed-hint">
          Subscribe to it in your calendar app. It is secret: anyone who has it can read your plan.
        </p>
        <div id="copy-controls" class="actions" />
        <p id="copy-status" role="status" />
      </div>
      <form method="post" action="/notifications/calendar/rotate" class="stack">
        <CsrfField token={d.csrf} />
        <p id="rotate-hint">
          Rotating gives the feed a new URL. The old one stops working at once: every calendar subscribed to
          it needs the new one.
        </p>
        <button type="submit" aria-describedby="rotate-hint">
          Rotate the feed URL
        </button>
      </form>
    </section>
  );
}

export function notificationsPage(d: NotificationsPageData) {
  return (
    <Layout title="Notifications" csrf={d.csrf}>
      {d.notice ? (
        <p class={d.notice.kind} role={d.notice.kind === "alert" ? "alert" : "status"}>
          {d.notice.text}
        </p>
      ) : null}
      <div class="notifications">
        <EmailSection d={d} />
        <ChannelsSection d={d} />
        <QuietHoursSection d={d} />
        <PushSection d={d} />
        <FeedSection d={d} />
      </div>
      <script src={NOTIFICATIONS_SCRIPT_PATH} defer />
    </Layout>
  );
}

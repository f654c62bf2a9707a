// `/account`: the athlete's connections (Strava, Garmin, intervals.icu) in words,
// each with the link or form that changes it; "Download my data"; and the way to
// delete the account. Disconnecting and deleting each have a confirmation page
// that says what will happen (and, for the last way to sign in, that the athlete
// cannot sign in with it again). Every form posts under /account with the CSRF token.
import { REVOKE_BY_HAND } from "../../plan/provider-revocation.ts";
import { CsrfField, Layout } from "./layout.tsx";

export type AccountProvider = "strava" | "garmin" | "intervals";

export interface ConnectionView {
  provider: AccountProvider;
  /** connected; needs_reauth: the provider refuses our tokens (or intervals.icu the key); revoked at the provider */
  state: "connected" | "needs_reauth" | "revoked" | "not_connected";
  since: Date | null;
  /** the athlete's id at the provider */
  externalId: string | null;
  /** why it needs attention, in the provider's or runstrong's words */
  reason: string | null;
}

export interface Notice {
  kind: "alert" | "ok";
  text: string;
}

export const PROVIDER_NAMES: Record<AccountProvider, string> = {
  strava: "Strava",
  garmin: "Garmin",
  intervals: "intervals.icu",
};

/** Where each provider is connected (again): the OAuth start, or the settings field for intervals.icu. */
const CONNECT_HREF: Record<AccountProvider, string> = {
  strava: "/auth/strava",
  garmin: "/auth/garmin",
  intervals: "/settings",
};

function sinceDate(since: Date, timezone: string) {
  const shown = new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: timezone,
  }).format(since);
  return <time datetime={since.toISOString()}>{shown}</time>;
}

function NoticeLine({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <p class={notice.kind} role={notice.kind === "alert" ? "alert" : "status"}>
      {notice.text}
    </p>
  );
}

function StateWords({ c, timezone }: { c: ConnectionView; timezone: string }) {
  const name = PROVIDER_NAMES[c.provider];
  const reason = c.reason ? ` (${c.reason})` : "";
  switch (c.state) {
    case "connected":
      return (
        <>
          Connected
          {c.since ? <> since {sinceDate(c.since, timezone)}</> : null}
          {c.externalId === null
            ? ""
            : `, as ${name} ${c.provider === "garmin" ? "user" : "athlete"} ${c.externalId}`}
          .
        </>
      );
    case "needs_reauth":
      return c.provider === "intervals" ? (
        <>Needs a new API key: intervals.icu refuses the one you gave{reason}.</>
      ) : (
        <>
          Needs re-authorization: {name} no longer accepts runstrong's access{reason}. Nothing new arrives
          from {name} until you connect it again.
        </>
      );
    case "revoked":
      return (
        <>
          Access was withdrawn at {name}. Connect it again to bring your {name} data back.
        </>
      );
    default:
      return <>Not connected.</>;
  }
}

function ConnectionCard({ c, timezone }: { c: ConnectionView; timezone: string }) {
  const name = PROVIDER_NAMES[c.provider];
  const id = `conn-${c.provider}`;
  const present = c.state !== "not_connected";
  return (
    <article class="card connection" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{name}</h3>
      <p id={`${id}-state`} class={`state state-${c.state}`}>
        <StateWords c={c} timezone={timezone} />
      </p>
      <div class="actions">
        {c.state === "needs_reauth" || c.state === "revoked" ? (
          <a class="button fix" href={CONNECT_HREF[c.provider]} aria-describedby={`${id}-state`}>
            {c.provider === "intervals" ? "Enter a new API key in Settings" : `Reconnect ${name}`}
          </a>
        ) : null}
        {!present ? (
          <a class={c.provider === "strava" ? "button strava" : "button"} href={CONNECT_HREF[c.provider]}>
            {/* Strava's brand guidelines: its connect button says "Connect with Strava", as on / */}
            {c.provider === "intervals"
              ? "Link intervals.icu in Settings"
              : c.provider === "strava"
                ? "Connect with Strava"
                : `Connect ${name}`}
          </a>
        ) : null}
        {present ? (
          <a class="button" href={`/account/${c.provider}/disconnect`} aria-describedby={`${id}-title`}>
            Disconnect {name}…
          </a>
        ) : null}
      </div>
    </article>
  );
}

export interface AccountPageData {
  csrf: string;
  timezone: string;
  connections: ConnectionView[];
  notice: Notice | null;
}

export function accountPage(data: AccountPageData) {
  return (
    <Layout title="Your account" csrf={data.csrf}>
      <div class="account">
        <NoticeLine notice={data.notice} />
        <section aria-labelledby="connections">
          <h2 id="connections">Connections</h2>
          <p class="muted">
            Strava and Garmin send runstrong your runs and are how you sign in; intervals.icu receives your
            strength sessions.
          </p>
          {data.connections.map((c) => (
            <ConnectionCard c={c} timezone={data.timezone} />
          ))}
        </section>
        <section aria-labelledby="export">
          <h2 id="export">Your data</h2>
          <p id="export-what">
            One JSON file with everything runstrong stores about you: your settings, activities, plans, logs,
            connections and notifications. Tokens and keys are not in it; the file says which ones are stored.
          </p>
          <p>
            <a class="button" href="/account/export" download aria-describedby="export-what">
              Download my data (JSON)
            </a>
          </p>
        </section>
        <section aria-labelledby="delete">
          <h2 id="delete">Delete your account</h2>
          <p id="delete-what">
            Deletes your account and everything stored about you, and withdraws runstrong's access at Strava
            and Garmin. It cannot be undone.
          </p>
          <p>
            <a class="button danger" href="/account/delete" aria-describedby="delete-what">
              Delete my account…
            </a>
          </p>
        </section>
      </div>
    </Layout>
  );
}

export interface DisconnectPageData {
  csrf: string;
  provider: AccountProvider;
  /** disconnecting it leaves no provider to sign in with */
  lastSignIn: boolean;
  notice: Notice | null;
}

const DISCONNECT_EFFECTS: Record<AccountProvider, string[]> = {
  strava: [
    "runstrong asks Strava to withdraw its access (Strava then forgets runstrong's tokens too).",
    "runstrong deletes its Strava tokens and every activity that came only from Strava, as Strava's terms require. A run Garmin also sent stays, as Garmin's.",
    "Your plan is made again from what is left. Your settings and logged sets stay.",
  ],
  garmin: [
    "runstrong ends its Garmin registration, as Garmin's terms require.",
    "runstrong deletes its Garmin tokens, every activity that came only from Garmin and the sets read from Garmin's files. A run Strava also sent stays, as Strava's.",
    "Your plan is made again from what is left. Your settings stay.",
  ],
  intervals: [
    "runstrong forgets your intervals.icu athlete id and API key and stops sending strength sessions there.",
    "Sessions already on your intervals.icu calendar stay there; delete them in intervals.icu if you wish.",
  ],
};

export function disconnectPage(data: DisconnectPageData) {
  const name = PROVIDER_NAMES[data.provider];
  return (
    <Layout title={`Disconnect ${name}?`} csrf={data.csrf}>
      <div class="account">
        <NoticeLine notice={data.notice} />
        <p>If you disconnect {name}:</p>
        <ul id="effects">
          {DISCONNECT_EFFECTS[data.provider].map((line) => (
            <li>{line}</li>
          ))}
        </ul>
        {data.lastSignIn ? (
          <p class="alert" id="last-sign-in">
            {name} is your only way to sign in. Afterwards you stay signed in on this device until you sign
            out, but you cannot sign in to this account again: connecting {name} later starts a new, empty
            account. To keep a way in, connect {data.provider === "strava" ? "Garmin" : "Strava"} first.
          </p>
        ) : null}
        <form method="post" action={`/account/${data.provider}/disconnect`} class="actions">
          <CsrfField token={data.csrf} />
          <button
            type="submit"
            class="danger"
            aria-describedby={data.lastSignIn ? "effects last-sign-in" : "effects"}
          >
            Disconnect {name}
          </button>
          <a class="button" href="/account">
            Cancel
          </a>
        </form>
      </div>
    </Layout>
  );
}

export interface DeletePageData {
  csrf: string;
  /** what will be deleted, in words, with counts */
  inventory: string[];
  /** providers runstrong will ask to withdraw its access */
  revokes: AccountProvider[];
  /** the form was refused: what was typed was not DELETE */
  error: string | null;
}

export const CONFIRM_WORD = "DELETE";

export function deletePage(data: DeletePageData) {
  return (
    <Layout title="Delete your account?" csrf={data.csrf}>
      <div class="account">
        {data.error ? (
          <p class="alert" role="alert">
            Nothing was deleted: {data.error}
          </p>
        ) : null}
        <p>This deletes, for good:</p>
        <ul id="inventory">
          {data.inventory.map((line) => (
            <li>{line}</li>
          ))}
        </ul>
        {data.revokes.length > 0 ? (
          <p>
            First runstrong withdraws its access at {data.revokes.map((p) => PROVIDER_NAMES[p]).join(" and ")}
            . If one cannot be reached, your account is deleted anyway and you are told where to withdraw
            access yourself.
          </p>
        ) : null}
        <p>
          Want a copy first? <a href="/account/export">Download my data (JSON)</a>.
        </p>
        <form method="post" action="/account/delete" novalidate>
          <CsrfField token={data.csrf} />
          <label for="confirm">Type {CONFIRM_WORD} to confirm</label>
          <p class="muted" id="confirm-hint">
            In capital letters. Anything else deletes nothing.
          </p>
          {data.error ? (
            <p class="field-error" id="confirm-error">
              {data.error}
            </p>
          ) : null}
          <input
            id="confirm"
            name="confirm"
            type="text"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            required
            aria-describedby={data.error ? "confirm-hint confirm-error" : "confirm-hint"}
            {...(data.error ? { "aria-invalid": "true" } : {})}
          />
          <div class="actions">
            <button type="submit" class="danger">
              Delete my account and all data
            </button>
            <a class="button" href="/account">
              Cancel
            </a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

const DELETED = "Your account and all its data were deleted.";
const BY_HAND = (name: string, where: string) =>
  ` ${name} could not be reached to withdraw runstrong's access, so please do it yourself: ${where}.`;

/** The notices `/` shows after a deletion (home.tsx's HOME_NOTICES takes them in). */
export const ACCOUNT_DELETED_NOTICES = {
  deleted: DELETED,
  "deleted-revoke-strava": DELETED + BY_HAND("Strava", REVOKE_BY_HAND.strava),
  "deleted-revoke-garmin": DELETED + BY_HAND("Garmin", REVOKE_BY_HAND.garmin),
  "deleted-revoke-both":
    DELETED + BY_HAND("Strava", REVOKE_BY_HAND.strava) + BY_HAND("Garmin", REVOKE_BY_HAND.garmin),
} as const;

/** Which of them fits: the providers the athlete must still revoke runstrong at by hand. */
export function deletedNotice(
  byHand: readonly ("strava" | "garmin")[],
): keyof typeof ACCOUNT_DELETED_NOTICES {
  if (byHand.length === 2) return "deleted-revoke-both";
  if (byHand[0] === "strava") return "deleted-revoke-strava";
  if (byHand[0] === "garmin") return "deleted-revoke-garmin";
  return "deleted";
}

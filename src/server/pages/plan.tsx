// `/plan`: this week and next, day by day in the athlete's zone: each day's class
// with its reasons, the runs (with "was easy" / "was quality"), each strength
// session with its exercises and why it sits there (with Done, Skip and Move;
// from its day on, "Done — record sets": a disclosure holding a form of its sets,
// prefilled with the plan, that works without script), what was lifted once it
// is logged, and the recent plan changes in their sentences. Every instant is a
// <time> carrying the ISO instant; the forms post to /plan/... with the CSRF token.
import type { StrengthLogRow } from "../../db/repos/strength-logs.ts";
import type { Exercise } from "../../domain/plan/input.ts";
import { formatWeight, type Units } from "../../domain/strength/loadable.ts";
import type { ActivityView } from "../../plan/activity-view.ts";
import type { planHistoryView } from "../../plan/history-view.ts";
import type { ShownSession } from "../../plan/plan-view.ts";
import { CsrfField, Layout } from "./layout.tsx";
import {
  FORM_ERROR,
  type LogFormValues,
  loadField,
  nameField,
  prefillFromLog,
  prefillFromPlan,
  repsField,
} from "./log-fields.ts";

export interface PlanDay {
  date: string;
  kind: string | null;
  reasons: string[];
  sessions: ShownSession[];
  runs: ActivityView[];
}

/** The log form of one session as it was sent and refused, to show again with its refusals. */
export interface LogFormState {
  key: string;
  values: LogFormValues;
  errors: Record<string, string>;
}

export interface PlanPageData {
  csrf: string;
  timezone: string;
  today: string;
  units: Units;
  /** the logs of the sessions shown, by session key */
  logs: Map<string, StrengthLogRow>;
  logForm: LogFormState | null;
  weeks: { title: string; days: PlanDay[] }[];
  unplaced: { week: string; session: string; reason: string }[];
  version: number | null;
  history: Awaited<ReturnType<typeof planHistoryView>>;
  notice: { kind: "alert" | "ok"; text: string } | null;
}

const dayName = new Intl.DateTimeFormat("en-GB", {
  weekday: "long",
  day: "numeric",
  month: "long",
  timeZone: "UTC",
});

export function dayLabel(date: string): string {
  return dayName.format(new Date(`${date}T00:00:00Z`));
}

/** "HH:MM" of an ISO instant with offset, as the athlete's clock reads it. */
function clock(iso: string): string {
  return iso.slice(11, 16);
}

/** The value of a datetime-local input: the instant's local date and time. */
function localInput(iso: string): string {
  return iso.slice(0, 16);
}

function loadOf(e: Exercise, units: Units): string {
  return e.loadKg !== undefined ? `${formatWeight(e.loadKg, units)} (${e.load})` : e.load;
}

/** What the page needs besides the session to draw it. */
interface SessionContext {
  csrf: string;
  today: string;
  units: Units;
  logs: Map<string, StrengthLogRow>;
  logForm: LogFormState | null;
}

/** "5 × 80 kg", "12 × bodyweight". */
function setText(s: { reps: number; weightKg: number }, units: Units): string {
  return `${s.reps} × ${s.weightKg > 0 ? formatWeight(s.weightKg, units) : "bodyweight"}`;
}

const SOURCES: Record<StrengthLogRow["source"], string> = {
  api: "as you recorded them",
  garmin: "as your Garmin recorded them",
  fit: "as your watch's file recorded them",
};

/** What was lifted in a logged session, per exercise. */
function Lifted({ log, units, headingId }: { log: StrengthLogRow; units: Units; headingId: string }) {
  const captionId = `${headingId}-lifted`;
  return (
    <table class="lifted" aria-labelledby={captionId}>
      <caption id={captionId}>What you lifted, {SOURCES[log.source]}</caption>
      <thead>
        <tr>
          <th scope="col">Exercise</th>
          <th scope="col">Sets done</th>
        </tr>
      </thead>
      <tbody>
        {log.exercises.map((e) => (
          <tr>
            <td>{e.name}</td>
            <td>{e.sets.map((set) => setText(set, units)).join(", ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A field's refusal, tied to it by id: shown next to it, read with it. */
function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={id}>
      {message}
    </p>
  ) : null;
}

/**
 * "Done — record sets": per exercise its sets, each with reps and load in the
 * athlete's unit, prefilled with the log (to change it) or the plan, so sending it
 * unchanged records the plan as done. Open when its refusals are shown.
 */
function LogForm({
  s,
  sessionKey: key,
  ctx,
  headingId,
}: {
  s: ShownSession;
  sessionKey: string;
  ctx: SessionContext;
  headingId: string;
}) {
  const id = `s-${key}`;
  const log = ctx.logs.get(key);
  const refused = ctx.logForm?.key === key ? ctx.logForm : null;
  const values =
    refused?.values ??
    (log ? prefillFromLog(log.exercises, ctx.units) : prefillFromPlan(s.exercises, ctx.units));
  const errors = refused?.errors ?? {};
  const planned = (s.status ?? "planned") === "planned";
  const summary = planned
    ? "Done — record sets"
    : log
      ? "Change the sets you logged"
      : "Record the sets you did";
  const formErrorId = `${id}-log-error`;
  return (
    <details class="log" open={refused !== null}>
      <summary aria-describedby={headingId}>{summary}</summary>
      <form method="post" action={`/plan/sessions/${encodeURIComponent(key)}/log`}>
        <CsrfField token={ctx.csrf} />
        <p class="muted">
          Prefilled with {log ? "what you logged" : "the plan"}: change any set you did differently. Load in{" "}
          {ctx.units}, 0 for bodyweight; 0 reps for a set you left out.
        </p>
        <FieldError id={formErrorId} message={errors[FORM_ERROR]} />
        {values.exercises.map((e, i) => {
          const nameErrorId = `${id}-e${i}-error`;
          const nameError = errors[nameField(i)];
          return (
            <fieldset aria-describedby={nameError ? nameErrorId : undefined}>
              <legend>{e.name}</legend>
              <input type="hidden" name={nameField(i)} value={e.name} />
              <FieldError id={nameErrorId} message={nameError} />
              {e.sets.map((set, j) => {
                const reps = `${id}-e${i}-s${j}-reps`;
                const load = `${id}-e${i}-s${j}-load`;
                const repsError = errors[repsField(i, j)];
                const loadError = errors[loadField(i, j)];
                return (
                  <div class="set">
                    <div>
                      <label for={reps}>Set {j + 1} reps</label>
                      <input
                        id={reps}
                        name={repsField(i, j)}
                        type="number"
                        inputmode="numeric"
                        min="0"
                        max="100"
                        step="1"
                        required
                        value={set.reps}
                        aria-invalid={repsError ? "true" : undefined}
                        aria-describedby={repsError ? `${reps}-error` : undefined}
                      />
                      <FieldError id={`${reps}-error`} message={repsError} />
                    </div>
                    <div>
                      <label for={load}>
                        Set {j + 1} load ({ctx.units})
                      </label>
                      <input
                        id={load}
                        name={loadField(i, j)}
                        type="number"
                        inputmode="decimal"
                        min="0"
                        step="any"
                        required
                        value={set.load}
                        aria-invalid={loadError ? "true" : undefined}
                        aria-describedby={loadError ? `${load}-error` : undefined}
                      />
                      <FieldError id={`${load}-error`} message={loadError} />
                    </div>
                  </div>
                );
              })}
            </fieldset>
          );
        })}
        <button type="submit" class="primary" aria-describedby={headingId}>
          {planned ? "Save the sets, mark it done" : "Save the sets"}
        </button>
      </form>
    </details>
  );
}

function Session({ s, ctx }: { s: ShownSession; ctx: SessionContext }) {
  const { csrf, today } = ctx;
  const id = s.key ? `s-${s.key}` : undefined;
  const headingId = id ? `${id}-title` : undefined;
  const planned = s.key !== undefined && (s.status ?? "planned") === "planned";
  // The log is taken from the session's day on (the verb refuses one still ahead), and not for a skipped one.
  const loggable = s.key !== undefined && s.status !== "skipped" && s.start.slice(0, 10) <= today;
  const log = s.key !== undefined ? ctx.logs.get(s.key) : undefined;
  return (
    <article class="card" id={id} aria-labelledby={headingId}>
      <h3 id={headingId}>
        Strength {s.session}: <time datetime={s.start}>{clock(s.start)}</time>–
        <time datetime={s.end}>{clock(s.end)}</time>
      </h3>
      <p class="muted">
        {s.phase} phase{s.pinned ? " · placed by you" : ""}
        {s.status && s.status !== "planned" ? (
          <>
            {" · "}
            <span class="status">{s.status === "done" ? "Done" : "Skipped"}</span>
          </>
        ) : null}
      </p>
      <table>
        <caption class="muted">Exercises</caption>
        <thead>
          <tr>
            <th scope="col">Exercise</th>
            <th scope="col">Sets</th>
            <th scope="col">Reps</th>
            <th scope="col">Load</th>
          </tr>
        </thead>
        <tbody>
          {s.exercises.map((e) => (
            <tr>
              <td>{e.name}</td>
              <td>{e.sets}</td>
              <td>{e.reps}</td>
              <td>{loadOf(e, ctx.units)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {s.reasons.length > 0 ? (
        <>
          <p>Why it sits here:</p>
          <ul class="reasons">
            {s.reasons.map((r) => (
              <li>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      {planned && s.key ? (
        <div class="actions">
          <form method="post" action={`/plan/sessions/${encodeURIComponent(s.key)}/done`}>
            <CsrfField token={csrf} />
            <button type="submit" class="primary" aria-describedby={headingId}>
              Done
            </button>
          </form>
          <form method="post" action={`/plan/sessions/${encodeURIComponent(s.key)}/skip`}>
            <CsrfField token={csrf} />
            <button type="submit" aria-describedby={headingId}>
              Skip
            </button>
          </form>
          <form method="post" action={`/plan/sessions/${encodeURIComponent(s.key)}/move`} class="actions">
            <CsrfField token={csrf} />
            <div>
              <label for={`${id}-start`}>Move to</label>
              <input
                id={`${id}-start`}
                type="datetime-local"
                name="start"
                required
                min={`${today}T00:00`}
                value={localInput(s.start)}
              />
            </div>
            <button type="submit" aria-describedby={headingId}>
              Move
            </button>
          </form>
        </div>
      ) : null}
      {log && headingId ? <Lifted log={log} units={ctx.units} headingId={headingId} /> : null}
      {loggable && s.key && headingId ? (
        <LogForm s={s} sessionKey={s.key} ctx={ctx} headingId={headingId} />
      ) : null}
      {s.key === undefined ? (
        <p class="muted">Your plan is being prepared; actions appear once it is stored (about a minute).</p>
      ) : null}
    </article>
  );
}

function Run({ r, csrf }: { r: ActivityView; csrf: string }) {
  const headingId = `run-${r.id}`;
  const verdict = r.kindOverride ?? r.kind;
  return (
    <li class="card">
      <p id={headingId}>
        <strong>{r.name}</strong>, <time datetime={r.start}>{clock(r.start)}</time>, {r.durationMin} min
        {verdict ? ` · ${r.kindOverride ? "you marked it" : "runstrong read it as"} ${verdict}` : ""}
      </p>
      <div class="actions">
        {(["easy", "quality"] as const).map((kind) => (
          <form method="post" action={`/plan/runs/${r.id}/kind`}>
            <CsrfField token={csrf} />
            <input type="hidden" name="kind" value={kind} />
            <button
              type="submit"
              aria-describedby={headingId}
              aria-pressed={r.kindOverride === kind ? "true" : "false"}
            >
              Was {kind}
            </button>
          </form>
        ))}
      </div>
    </li>
  );
}

function Day({ d, ctx }: { d: PlanDay; ctx: SessionContext }) {
  const { csrf, today } = ctx;
  return (
    <section class="day" aria-labelledby={`d-${d.date}`}>
      <h3 id={`d-${d.date}`}>
        <time datetime={d.date}>{dayLabel(d.date)}</time>
        {d.date === today ? " (today)" : ""}
        {d.kind ? (
          <>
            {" · "}
            <span class={`kind kind-${d.kind}`}>{d.kind}</span>
          </>
        ) : null}
      </h3>
      {d.reasons.length > 0 ? (
        <ul class="reasons">
          {d.reasons.map((r) => (
            <li>{r}</li>
          ))}
        </ul>
      ) : null}
      {d.runs.length > 0 ? (
        <ul class="runs" aria-label="Runs">
          {d.runs.map((r) => (
            <Run r={r} csrf={csrf} />
          ))}
        </ul>
      ) : null}
      {d.sessions.map((s) => (
        <Session s={s} ctx={ctx} />
      ))}
      {d.runs.length === 0 && d.sessions.length === 0 && d.reasons.length === 0 ? (
        <p class="muted">Nothing planned.</p>
      ) : null}
    </section>
  );
}

export function planPage(data: PlanPageData) {
  const stamp = new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: data.timezone,
  });
  const ctx: SessionContext = {
    csrf: data.csrf,
    today: data.today,
    units: data.units,
    logs: data.logs,
    logForm: data.logForm,
  };
  return (
    <Layout title="Your plan" csrf={data.csrf}>
      {data.notice ? (
        <p class={data.notice.kind} role={data.notice.kind === "alert" ? "alert" : "status"}>
          {data.notice.text}
        </p>
      ) : null}
      <p class="muted">
        Times are in your zone, {data.timezone}.
        {data.version === null ? " Your first plan is being stored; this is a preview." : ""}
      </p>
      {data.weeks.map((w) => (
        <section aria-labelledby={`w-${w.days[0]?.date ?? ""}`}>
          <h2 id={`w-${w.days[0]?.date ?? ""}`}>{w.title}</h2>
          {w.days.map((d) => (
            <Day d={d} ctx={ctx} />
          ))}
        </section>
      ))}
      {data.unplaced.length > 0 ? (
        <section aria-labelledby="unplaced">
          <h2 id="unplaced">Not placed</h2>
          <ul>
            {data.unplaced.map((u) => (
              <li>
                Strength {u.session}, week of <time datetime={u.week}>{dayLabel(u.week)}</time>: {u.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="changes">
        <h2 id="changes">Recent changes</h2>
        {data.history.length === 0 ? <p class="muted">No changes yet.</p> : null}
        <ul>
          {data.history.map((v) => (
            <li>
              <time datetime={v.createdAt}>{stamp.format(new Date(v.createdAt))}</time>
              {v.because ? `: because ${v.because}` : ""}
              {v.changes.length > 0 ? (
                <ul class="reasons">
                  {v.changes.map((ch) => (
                    <li>{ch.sentence}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}

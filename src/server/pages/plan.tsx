// `/plan`: this week and next, day by day in the athlete's zone: each day's class
// with its reasons, the runs (with "was easy" / "was quality"), each strength
// session with its exercises and why it sits there (with Done, Skip and Move),
// and the recent plan changes in their sentences. Every instant is a <time>
// carrying the ISO instant; the forms post to /plan/... with the CSRF token.
import type { Exercise } from "../../domain/plan/input.ts";
import type { ActivityView } from "../../plan/activity-view.ts";
import type { planHistoryView } from "../../plan/history-view.ts";
import type { ShownSession } from "../../plan/plan-view.ts";
import { CsrfField, Layout } from "./layout.tsx";

export interface PlanDay {
  date: string;
  kind: string | null;
  reasons: string[];
  sessions: ShownSession[];
  runs: ActivityView[];
}

export interface PlanPageData {
  csrf: string;
  timezone: string;
  today: string;
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

function loadOf(e: Exercise): string {
  return e.loadKg !== undefined ? `${e.loadKg} kg (${e.load})` : e.load;
}

function Session({ s, csrf, today }: { s: ShownSession; csrf: string; today: string }) {
  const id = s.key ? `s-${s.key}` : undefined;
  const headingId = id ? `${id}-title` : undefined;
  const planned = s.key !== undefined && (s.status ?? "planned") === "planned";
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
              <td>{loadOf(e)}</td>
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

function Day({ d, csrf, today }: { d: PlanDay; csrf: string; today: string }) {
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
        <Session s={s} csrf={csrf} today={today} />
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
            <Day d={d} csrf={data.csrf} today={data.today} />
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

// `/settings`: every setting of the settings API as a labelled control, in
// sections (one form each, posting only its own fields to /settings/<section>),
// so a refused value in one section loses nothing typed in another. A refusal
// shows the verb's own message beside the field it names (aria-describedby,
// aria-invalid) and in a summary at the top whose links reach each field; the
// values the athlete typed stay in the form. Notification settings live on
// /notifications; this page links there rather than repeat them.
import type { Child } from "hono/jsx";
import type { FormValues, PageView } from "../../plan/settings-form.ts";
import { LIFT_NAMES, MAX_TEMPLATE_ROWS, MAX_WINDOWS, WEEKDAYS } from "../../plan/settings-form.ts";
import { CsrfField, Layout } from "./layout.tsx";

export interface SettingsPageData {
  csrf: string;
  view: PageView;
  /** what each control shows: the stored settings, or what the athlete just sent when it was refused */
  form: FormValues;
  /** the verb's messages by where they are shown (a setting, a row `availability.3`, a lift `lifts.stepUp`) */
  errors: Record<string, string[]>;
  notice: { kind: "alert" | "ok"; text: string } | null;
  timeZones: readonly string[];
}

/** What each setting is called on the page (and in the saved notice). */
export const FIELD_LABELS: Record<string, string> = {
  timezone: "Time zone",
  raceDate: "Race date",
  sessionsPerWeek: "Strength sessions per week",
  qualityBufferHours: "Hours between strength and the next quality run",
  availability: "When you can lift",
  blackouts: "Days you cannot lift",
  preferredWeekdays: "Preferred days for strength",
  strengthExperience: "Strength experience",
  liftingSince: "Lifting since",
  strengthTiming: "Strength on a run day",
  runTemplate: "Your usual running week",
  runningPlanIcsUrl: "Running-plan calendar URL",
  busyCalendarIcsUrl: "Busy calendar URL",
  lifts: "One-rep maxes",
  units: "Units",
  loadIncrementKg: "Smallest load step (kg)",
  intervalsIcu: "intervals.icu",
};

export const WEEKDAY_NAMES: Record<number, string> = {
  1: "Monday",
  2: "Tuesday",
  3: "Wednesday",
  4: "Thursday",
  5: "Friday",
  6: "Saturday",
  7: "Sunday",
};

const LIFT_LABELS: Record<string, string> = {
  backSquat: "Back squat",
  romanianDeadlift: "Romanian deadlift",
  bulgarianSplitSquat: "Bulgarian split squat",
  stepUp: "Step-up",
  calfRaise: "Calf raise",
  singleLegCalfRaise: "Single-leg calf raise",
};

/** The element id of a form key or an error anchor: `availability.3` → `f-availability-3`. */
export function fieldId(key: string): string {
  return `f-${key.replace(/[^A-Za-z0-9]+/g, "-")}`;
}
const errorId = (anchor: string) => `${fieldId(anchor)}-error`;

interface Ctx {
  form: FormValues;
  errors: Record<string, string[]>;
}

/** aria-invalid and aria-describedby for a control shown under `anchors` (itself, its row, its setting). */
function aria(ctx: Ctx, anchors: string[], hint?: string) {
  const bad = anchors.filter((a) => (ctx.errors[a]?.length ?? 0) > 0);
  const describedBy = [...bad.map(errorId), ...(hint ? [hint] : [])].join(" ");
  return {
    ...(bad.length > 0 ? { "aria-invalid": "true" as const } : {}),
    ...(describedBy ? { "aria-describedby": describedBy } : {}),
  };
}

function FieldError({ ctx, anchor }: { ctx: Ctx; anchor: string }) {
  const messages = ctx.errors[anchor];
  if (!messages?.length) return null;
  return (
    <p class="field-error" id={errorId(anchor)}>
      {messages.join("; ")}
    </p>
  );
}

function Hint({ id, children }: { id: string; children?: Child }) {
  return (
    <p class="hint" id={id}>
      {children}
    </p>
  );
}

/** A one-line text-like input with its label, hint and error. */
function TextField(props: {
  ctx: Ctx;
  name: string;
  label: string;
  type?: string;
  hint?: string;
  inputmode?: "decimal" | "numeric";
  list?: string;
  autocomplete?: string;
  anchors?: string[];
}) {
  const { ctx, name } = props;
  const id = fieldId(name);
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && hintId ? <Hint id={hintId}>{props.hint}</Hint> : null}
      <input
        id={id}
        name={name}
        type={props.type ?? "text"}
        value={ctx.form[name] ?? ""}
        inputmode={props.inputmode}
        list={props.list}
        autocomplete={props.autocomplete ?? "off"}
        {...aria(ctx, props.anchors ?? [name], hintId)}
      />
      <FieldError ctx={ctx} anchor={name} />
    </div>
  );
}

function Select(props: {
  ctx: Ctx;
  name: string;
  label: string;
  options: [string, string][];
  anchors?: string[];
  labelClass?: string;
}) {
  const { ctx, name } = props;
  const id = fieldId(name);
  const value = ctx.form[name] ?? "";
  // A value no option has (sent by hand) is kept, so the refusal shows what was sent.
  const options =
    value === "" || props.options.some(([v]) => v === value)
      ? props.options
      : [...props.options, [value, value]];
  return (
    <div class="field">
      <label for={id} class={props.labelClass}>
        {props.label}
      </label>
      <select id={id} name={name} {...aria(ctx, props.anchors ?? [name])}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value}>
            {text}
          </option>
        ))}
      </select>
      {props.anchors ? null : <FieldError ctx={ctx} anchor={name} />}
    </div>
  );
}

function Checkbox(props: { ctx: Ctx; name: string; label: Child; anchors?: string[] }) {
  const id = fieldId(props.name);
  return (
    <div class="check">
      <input
        type="checkbox"
        id={id}
        name={props.name}
        checked={props.name in props.ctx.form}
        {...aria(props.ctx, props.anchors ?? [])}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

/** "Use the default" for a setting runstrong has a default for. */
function UseDefault({ ctx, field, shown }: { ctx: Ctx; field: string; shown: string }) {
  return <Checkbox ctx={ctx} name={`${field}.default`} label={`Use the default (${shown})`} />;
}

function Section(props: {
  name: string;
  title: string;
  ctx: Ctx;
  csrf: string;
  children?: Child;
  button?: Child;
}) {
  return (
    <form method="post" action={`/settings/${props.name}`} novalidate class="settings-section">
      <CsrfField token={props.csrf} />
      <fieldset id={`section-${props.name}`}>
        <legend>
          <h2>{props.title}</h2>
        </legend>
        {props.children}
        <div class="actions">
          {props.button ?? (
            <button type="submit" class="primary">
              Save {props.title.toLowerCase()}
            </button>
          )}
        </div>
      </fieldset>
    </form>
  );
}

/** A group of controls for one setting: a fieldset whose legend names it, its error under the legend. */
function Group(props: { ctx: Ctx; field: string; legend: string; hint?: string; children?: Child }) {
  const id = fieldId(props.field);
  const hintId = props.hint ? `${id}-hint` : undefined;
  const bad = (props.ctx.errors[props.field]?.length ?? 0) > 0;
  const describedBy = [...(bad ? [errorId(props.field)] : []), ...(hintId ? [hintId] : [])].join(" ");
  return (
    <fieldset id={id} class="group" {...(describedBy ? { "aria-describedby": describedBy } : {})}>
      <legend>{props.legend}</legend>
      {props.hint && hintId ? <Hint id={hintId}>{props.hint}</Hint> : null}
      <FieldError ctx={props.ctx} anchor={props.field} />
      {props.children}
    </fieldset>
  );
}

/** How many numbered rows of `prefix` hold something (the highest such index + 1). */
function rowsIn(form: FormValues, prefix: string, at: (rest: string) => number | null): number {
  let n = 0;
  for (const [key, value] of Object.entries(form)) {
    if (!key.startsWith(prefix) || value.trim() === "") continue;
    const i = at(key.slice(prefix.length));
    if (i !== null && i + 1 > n) n = i + 1;
  }
  return n;
}

/** The anchors with messages at or under `row` (`availability.3`, `availability.3.1`). */
function anchorsUnder(ctx: Ctx, row: string): string[] {
  return Object.keys(ctx.errors).filter(
    (a) => (a === row || a.startsWith(`${row}.`)) && ctx.errors[a]?.length,
  );
}

function PlanSection({ ctx, csrf, timeZones }: { ctx: Ctx; csrf: string; timeZones: readonly string[] }) {
  return (
    <Section name="plan" title="Race and week" ctx={ctx} csrf={csrf}>
      <TextField
        ctx={ctx}
        name="timezone"
        label={FIELD_LABELS.timezone ?? ""}
        hint="A zone name such as Europe/Berlin: your days and times are read in it."
        list="time-zones"
      />
      <datalist id="time-zones">
        {timeZones.map((z) => (
          <option value={z} />
        ))}
      </datalist>
      <TextField
        ctx={ctx}
        name="raceDate"
        type="date"
        label={FIELD_LABELS.raceDate ?? ""}
        hint="Your goal race; leave empty for none (the default: base phase all year)."
      />
      <TextField
        ctx={ctx}
        name="sessionsPerWeek"
        label={FIELD_LABELS.sessionsPerWeek ?? ""}
        inputmode="numeric"
        hint="1 to 3; in the base phase. Nearer the race the phase sets fewer."
      />
      <UseDefault ctx={ctx} field="sessionsPerWeek" shown="2" />
      <TextField
        ctx={ctx}
        name="qualityBufferHours"
        label={FIELD_LABELS.qualityBufferHours ?? ""}
        inputmode="decimal"
        hint="0 to 72: no strength session ends closer than this to the start of a quality run."
      />
      <UseDefault ctx={ctx} field="qualityBufferHours" shown="12 hours" />
      <Select
        ctx={ctx}
        name="strengthTiming"
        label={FIELD_LABELS.strengthTiming ?? ""}
        options={[
          ["after-run", "After the day's run (the default)"],
          ["before-run", "Before the day's run"],
        ]}
      />
      <Group
        ctx={ctx}
        field="preferredWeekdays"
        legend={FIELD_LABELS.preferredWeekdays ?? ""}
        hint="None ticked (the default): any day the rules allow."
      >
        <div class="days">
          {WEEKDAYS.map((d) => (
            <Checkbox
              ctx={ctx}
              name={`preferredWeekdays.${d}`}
              label={WEEKDAY_NAMES[d]}
              anchors={["preferredWeekdays"]}
            />
          ))}
        </div>
      </Group>
    </Section>
  );
}

function AvailabilitySection({ ctx, csrf }: { ctx: Ctx; csrf: string }) {
  return (
    <Section name="availability" title="Availability" ctx={ctx} csrf={csrf}>
      <Group
        ctx={ctx}
        field="availability"
        legend={FIELD_LABELS.availability ?? ""}
        hint="Each day you can lift, and between which local times (HH:MM, e.g. 17:30; 24:00 for midnight). A session sits wholly inside a window."
      >
        <UseDefault ctx={ctx} field="availability" shown="every day, 06:00–21:30" />
        {WEEKDAYS.map((d) => {
          const row = `availability.${d}`;
          const bad = anchorsUnder(ctx, row);
          const shown = Math.min(
            MAX_WINDOWS,
            rowsIn(ctx.form, `${row}.`, (rest) => {
              const m = /^(?:from|to)\.(\d)$/.exec(rest);
              return m ? Number(m[1]) : null;
            }) + 1,
          );
          return (
            <fieldset
              id={fieldId(row)}
              class="day-row"
              {...(bad.length > 0 ? { "aria-describedby": bad.map(errorId).join(" ") } : {})}
            >
              <legend>{WEEKDAY_NAMES[d]}</legend>
              {bad.map((anchor) => (
                <FieldError ctx={ctx} anchor={anchor} />
              ))}
              <Checkbox ctx={ctx} name={`${row}.on`} label="Available" anchors={[row, "availability"]} />
              {Array.from({ length: shown }, (_, i) => (
                <div class="window">
                  {(["from", "to"] as const).map((end) => (
                    <TimeInput
                      ctx={ctx}
                      name={`${row}.${end}.${i}`}
                      label={end === "from" ? "From" : "To"}
                      detail={`${WEEKDAY_NAMES[d]}, window ${i + 1}`}
                      anchors={[`${row}.${i}`, row, "availability"]}
                    />
                  ))}
                </div>
              ))}
            </fieldset>
          );
        })}
      </Group>
      <div class="field">
        <label for={fieldId("blackouts")}>{FIELD_LABELS.blackouts}</label>
        <Hint id={`${fieldId("blackouts")}-hint`}>
          Dates (YYYY-MM-DD), one per line: no session is planned on them.
        </Hint>
        <textarea
          id={fieldId("blackouts")}
          name="blackouts"
          rows={3}
          {...aria(ctx, ["blackouts"], `${fieldId("blackouts")}-hint`)}
        >
          {ctx.form.blackouts ?? ""}
        </textarea>
        <FieldError ctx={ctx} anchor="blackouts" />
      </div>
    </Section>
  );
}

/** A local time as text (HH:MM): a time input cannot hold 24:00, which the API takes. */
function TimeInput(props: { ctx: Ctx; name: string; label: string; detail: string; anchors: string[] }) {
  const id = fieldId(props.name);
  return (
    <div class="field time">
      <label for={id}>
        {props.label}
        <span class="visually-hidden"> ({props.detail})</span>
      </label>
      <input
        id={id}
        name={props.name}
        type="text"
        inputmode="numeric"
        size={5}
        autocomplete="off"
        placeholder="HH:MM"
        value={props.ctx.form[props.name] ?? ""}
        {...aria(props.ctx, props.anchors)}
      />
    </div>
  );
}

function RunsSection({ ctx, csrf }: { ctx: Ctx; csrf: string }) {
  const rows = Math.min(
    MAX_TEMPLATE_ROWS,
    rowsIn(ctx.form, "runTemplate.", (rest) => {
      const m = /^(\d+)\.(weekday|time|durationMin|title)$/.exec(rest);
      return m ? Number(m[1]) : null;
    }) + 2,
  );
  return (
    <Section name="runs" title="Running week" ctx={ctx} csrf={csrf}>
      <Group
        ctx={ctx}
        field="runTemplate"
        legend={FIELD_LABELS.runTemplate ?? ""}
        hint="The runs you usually do each week, for the days no running-plan calendar covers. Empty a row or tick Remove to drop it."
      >
        <UseDefault
          ctx={ctx}
          field="runTemplate"
          shown="Tuesday intervals, Sunday long run, easy runs most other days"
        />
        {Array.from({ length: rows }, (_, i) => {
          const row = `runTemplate.${i}`;
          const anchors = [row, "runTemplate"];
          const rowBad = (ctx.errors[row]?.length ?? 0) > 0;
          return (
            <fieldset
              id={fieldId(row)}
              class="run-row"
              {...(rowBad ? { "aria-describedby": errorId(row) } : {})}
            >
              <legend>Run {i + 1}</legend>
              <FieldError ctx={ctx} anchor={row} />
              <Select
                ctx={ctx}
                name={`${row}.weekday`}
                label="Day"
                anchors={anchors}
                options={[
                  ["", "—"],
                  ...WEEKDAYS.map((d): [string, string] => [String(d), WEEKDAY_NAMES[d] ?? ""]),
                ]}
              />
              <TimeInput
                ctx={ctx}
                name={`${row}.time`}
                label="Starts at"
                detail={`run ${i + 1}`}
                anchors={anchors}
              />
              <TextField
                ctx={ctx}
                name={`${row}.durationMin`}
                label="Minutes"
                inputmode="numeric"
                anchors={anchors}
              />
              <Select
                ctx={ctx}
                name={`${row}.kind`}
                label="Kind"
                anchors={anchors}
                options={[
                  ["easy", "Easy"],
                  ["quality", "Quality"],
                ]}
              />
              <TextField ctx={ctx} name={`${row}.title`} label="Title" anchors={anchors} />
              {Object.keys(ctx.form).some((k) => k.startsWith(`${row}.`) && ctx.form[k] !== "") ? (
                <Checkbox ctx={ctx} name={`${row}.remove`} label={`Remove run ${i + 1}`} />
              ) : null}
            </fieldset>
          );
        })}
      </Group>
    </Section>
  );
}

function StrengthSection({ ctx, csrf }: { ctx: Ctx; csrf: string }) {
  return (
    <Section name="strength" title="Strength" ctx={ctx} csrf={csrf}>
      <Select
        ctx={ctx}
        name="strengthExperience"
        label={FIELD_LABELS.strengthExperience ?? ""}
        options={[
          ["trained", "I lift regularly (the default)"],
          ["new", "New to lifting: 3–4 weeks of lighter sessions to learn form first"],
        ]}
      />
      <TextField
        ctx={ctx}
        name="liftingSince"
        type="date"
        label={FIELD_LABELS.liftingSince ?? ""}
        hint="When you started lifting; leave empty if you do not know."
      />
      <Select
        ctx={ctx}
        name="units"
        label={FIELD_LABELS.units ?? ""}
        options={[
          ["kg", "Kilograms (the default)"],
          ["lb", "Pounds"],
        ]}
      />
      <TextField
        ctx={ctx}
        name="loadIncrementKg"
        label={FIELD_LABELS.loadIncrementKg ?? ""}
        inputmode="decimal"
        hint="The smallest step your plates allow, in kg (up to 25): loads are rounded to it."
      />
      <UseDefault ctx={ctx} field="loadIncrementKg" shown="2.5 kg, or 5 lb with pounds" />
      <Group
        ctx={ctx}
        field="lifts"
        legend={FIELD_LABELS.lifts ?? ""}
        hint="The most you can lift once, in kg, and when you tested it; loads are worked out from it. Leave empty for none."
      >
        {LIFT_NAMES.map((name) => {
          const row = `lifts.${name}`;
          const anchors = [row, "lifts"];
          const rowBad = (ctx.errors[row]?.length ?? 0) > 0;
          return (
            <fieldset
              id={fieldId(row)}
              class="lift-row"
              {...(rowBad ? { "aria-describedby": errorId(row) } : {})}
            >
              <legend>{LIFT_LABELS[name] ?? name}</legend>
              <FieldError ctx={ctx} anchor={row} />
              <TextField
                ctx={ctx}
                name={`${row}.kg`}
                label="One-rep max (kg)"
                inputmode="decimal"
                anchors={anchors}
              />
              <TextField ctx={ctx} name={`${row}.date`} type="date" label="Tested on" anchors={anchors} />
            </fieldset>
          );
        })}
      </Group>
    </Section>
  );
}

function CalendarsSection({ ctx, csrf }: { ctx: Ctx; csrf: string }) {
  return (
    <Section name="calendars" title="Calendars" ctx={ctx} csrf={csrf}>
      <TextField
        ctx={ctx}
        name="runningPlanIcsUrl"
        type="url"
        label={FIELD_LABELS.runningPlanIcsUrl ?? ""}
        hint="Your training plan's iCalendar (http, https or webcal) address: its runs replace the usual week on the days it covers. Empty: none."
      />
      <TextField
        ctx={ctx}
        name="busyCalendarIcsUrl"
        type="url"
        label={FIELD_LABELS.busyCalendarIcsUrl ?? ""}
        hint="Your own calendar's secret iCalendar address: sessions keep away from its busy times (titles are never stored). Empty: none."
      />
      <p class="muted">
        The calendar of your strength plan, to subscribe to, is on <a href="/notifications">Notifications</a>.
      </p>
    </Section>
  );
}

function IntervalsSection({ ctx, csrf, view }: { ctx: Ctx; csrf: string; view: PageView }) {
  const linked = view.intervalsIcu.connected;
  return (
    <Section
      name="intervals"
      title="intervals.icu"
      ctx={ctx}
      csrf={csrf}
      button={
        <>
          <button type="submit" class="primary" name="action" value="link">
            {linked ? "Link again" : "Link intervals.icu"}
          </button>
          {linked ? (
            <button type="submit" name="action" value="unlink">
              Unlink intervals.icu
            </button>
          ) : null}
        </>
      }
    >
      <div id={fieldId("intervalsIcu")} class="group">
        <p>
          {linked
            ? `Linked to intervals.icu athlete ${view.intervalsIcu.athleteId ?? ""}: your strength sessions are sent there.`
            : "Not linked. Link it to see your strength sessions in intervals.icu."}
        </p>
        <FieldError ctx={ctx} anchor="intervalsIcu" />
      </div>
      <TextField
        ctx={ctx}
        name="intervalsIcu.athleteId"
        label="Athlete id"
        hint='On intervals.icu: Settings, Developer Settings; it looks like "i12345".'
        anchors={["intervalsIcu.athleteId", "intervalsIcu"]}
      />
      <ApiKeyField ctx={ctx} />
    </Section>
  );
}

/** The key is write-only: the field is always empty, whatever was sent or stored. */
function ApiKeyField({ ctx }: { ctx: Ctx }) {
  const name = "intervalsIcu.apiKey";
  const id = fieldId(name);
  return (
    <div class="field">
      <label for={id}>API key</label>
      <Hint id={`${id}-hint`}>Stored encrypted and never shown again.</Hint>
      <input
        id={id}
        name={name}
        type="password"
        autocomplete="off"
        value=""
        {...aria(ctx, [name, "intervalsIcu"], `${id}-hint`)}
      />
      <FieldError ctx={ctx} anchor={name} />
    </div>
  );
}

/** The control a summary link goes to: a row's first field, else the control itself. */
export function targetOf(anchor: string): string {
  const window = /^availability\.(\d)\.(\d)$/.exec(anchor);
  if (window) return `availability.${window[1]}.from.${window[2]}`;
  if (/^availability\.\d$/.test(anchor)) return `${anchor}.on`;
  if (/^runTemplate\.\d+$/.test(anchor)) return `${anchor}.weekday`;
  if (/^lifts\.[A-Za-z]+$/.test(anchor)) return `${anchor}.kg`;
  return anchor;
}

/** What the summary calls the place of a message: the setting, and the row in it ("When you can lift, Wednesday"). */
function anchorLabel(anchor: string): string {
  const [field = "", row, item] = anchor.split(".");
  const name = FIELD_LABELS[field] ?? anchor;
  if (row === undefined) return name;
  if (field === "availability")
    return `${name}, ${WEEKDAY_NAMES[Number(row)] ?? row}${item === undefined ? "" : `, window ${Number(item) + 1}`}`;
  if (field === "runTemplate") return `${name}, run ${Number(row) + 1}`;
  if (field === "lifts") return `${name}, ${(LIFT_LABELS[row] ?? row).toLowerCase()}`;
  if (field === "intervalsIcu") return `${name}, ${row === "apiKey" ? "API key" : "athlete id"}`;
  return name;
}

/** Each refusal once, linking to the control it is shown beside. */
function ErrorSummary({ errors }: { errors: Record<string, string[]> }) {
  const entries = Object.entries(errors).filter(([, m]) => m.length > 0);
  if (entries.length === 0) return null;
  return (
    <div
      class="alert error-summary"
      role="alert"
      tabindex={-1}
      autofocus
      aria-labelledby="error-summary-title"
    >
      <h2 id="error-summary-title">
        Not saved: {entries.length === 1 ? "1 setting needs" : `${entries.length} settings need`} changing
      </h2>
      <ul>
        {entries.map(([anchor, messages]) => (
          <li>
            <a href={`#${fieldId(targetOf(anchor))}`}>
              {anchorLabel(anchor)}: {messages.join("; ")}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function settingsPage(data: SettingsPageData) {
  const ctx: Ctx = { form: data.form, errors: data.errors };
  return (
    <Layout title="Settings" csrf={data.csrf}>
      <div class="settings">
        <ErrorSummary errors={data.errors} />
        {data.notice ? (
          <p class={data.notice.kind} role={data.notice.kind === "alert" ? "alert" : "status"}>
            {data.notice.text}
          </p>
        ) : null}
        <p class="muted">
          Each section saves on its own; a change re-plans your strength sessions. Email, push and quiet hours
          are on <a href="/notifications">Notifications</a>.
        </p>
        <PlanSection ctx={ctx} csrf={data.csrf} timeZones={data.timeZones} />
        <AvailabilitySection ctx={ctx} csrf={data.csrf} />
        <RunsSection ctx={ctx} csrf={data.csrf} />
        <StrengthSection ctx={ctx} csrf={data.csrf} />
        <CalendarsSection ctx={ctx} csrf={data.csrf} />
        <IntervalsSection ctx={ctx} csrf={data.csrf} view={data.view} />
      </div>
    </Layout>
  );
}

// The /settings forms read as PATCH bodies (src/plan/settings-form.ts): a section
// saved as shown sends nothing, so settings on runstrong's defaults stay on them;
// a changed field is sent in the API's shape; what is not a number is passed on as
// typed for the verb to refuse; a problem is placed at the row it came from.
import { describe, expect, it } from "vitest";
import {
  anchorOf,
  formOfView,
  type PageView,
  patchOfForm,
  SECTION_NAMES,
  sectionValues,
} from "../../src/plan/settings-form.ts";
import { settingsView } from "../../src/plan/settings-view.ts";

function viewOf(settings: Record<string, unknown>): PageView {
  return {
    ...settingsView({ timezone: "Europe/Berlin", settings, calendarToken: "t" }, "https://r.example"),
    intervalsIcu: { athleteId: null, connected: false },
  };
}

const CUSTOM = {
  raceDate: "2027-04-18",
  sessionsPerWeek: 3,
  availability: [
    { weekday: 1, from: "17:00", to: "20:00" },
    { weekday: 1, from: "06:00", to: "08:00" },
    { weekday: 4, from: "06:00", to: "24:00" },
  ],
  blackouts: ["2026-12-24"],
  preferredWeekdays: [1, 4],
  runTemplate: [{ weekday: 3, time: "18:30", durationMin: 50, kind: "quality", title: "Club night" }],
  lifts: { backSquat: { oneRepMaxKg: 100, date: "2026-11-20" }, stepUp: { oneRepMaxKg: 40 } },
  units: "lb",
  busyCalendarIcsUrl: "https://cal.example.com/me.ics",
};

describe("a section saved as the page shows it", () => {
  it.each([
    ["defaults", {}],
    ["an athlete's own settings", CUSTOM],
  ])("sends nothing for %s", (_name, settings) => {
    const view = viewOf(settings);
    const form = formOfView(view);
    for (const section of SECTION_NAMES.filter((s) => s !== "intervals"))
      expect(patchOfForm(section, sectionValues(form, section), view).body, section).toEqual({});
  });
});

describe("a changed section", () => {
  it("sends the changed fields in the API's shape, and text that is no number as typed", () => {
    const view = viewOf({});
    const form: Record<string, string> = {
      ...sectionValues(formOfView(view), "plan"),
      sessionsPerWeek: "3",
      qualityBufferHours: "six",
    };
    delete form["sessionsPerWeek.default"];
    expect(patchOfForm("plan", form, view).body).toEqual({ sessionsPerWeek: 3, qualityBufferHours: "six" });
  });

  it("reads each weekday's windows, and an available day with none as a window to refuse", () => {
    const view = viewOf({});
    const form = {
      "availability.2.on": "on",
      "availability.2.from.0": "18:00",
      "availability.2.to.0": "21:00",
      "availability.5.on": "on",
      "availability.6.from.0": "07:00",
      "availability.6.to.0": "09:00",
    };
    const { body, rows } = patchOfForm("availability", form, view);
    expect(body.availability).toEqual([
      { weekday: 2, from: "18:00", to: "21:00" },
      { weekday: 5, from: "", to: "" },
    ]);
    expect(rows).toEqual({ "availability[0]": "availability.2.0", "availability[1]": "availability.5.0" });
    expect(anchorOf({ field: "availability", message: "[1].from: expected a local time HH:MM" }, rows)).toBe(
      "availability.5.0",
    );
  });

  it("'Use the default' left as shown sends the default; a value typed over it wins", () => {
    const view = viewOf({ sessionsPerWeek: 3 });
    const form = { ...sectionValues(formOfView(view), "plan"), "sessionsPerWeek.default": "on" };
    expect(patchOfForm("plan", form, view).body).toEqual({ sessionsPerWeek: 2 });
    expect(patchOfForm("plan", { ...form, sessionsPerWeek: "1" }, view).body).toEqual({ sessionsPerWeek: 1 });
  });

  it("links intervals.icu with both fields and unlinks with null; places its problems at the field", () => {
    const view = viewOf({});
    expect(
      patchOfForm("intervals", { "intervalsIcu.athleteId": " i42 ", "intervalsIcu.apiKey": "k" }, view).body,
    ).toEqual({ intervalsIcu: { athleteId: "i42", apiKey: "k" } });
    expect(patchOfForm("intervals", { action: "unlink" }, view).body).toEqual({ intervalsIcu: null });
    expect(
      anchorOf({ field: "intervalsIcu", message: "apiKey: must be your intervals.icu API key" }, {}),
    ).toBe("intervalsIcu.apiKey");
    expect(anchorOf({ field: "lifts", message: "stepUp.oneRepMaxKg: Too big" }, {})).toBe("lifts.stepUp");
    expect(anchorOf({ field: "units", message: "Invalid option" }, {})).toBe("units");
  });
});

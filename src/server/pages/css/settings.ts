// The settings page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast. Phone first:
// every control is full width and stacked; wider screens put a row's small fields
// side by side.
export const SETTINGS_CSS = `
form.settings-section { margin: 1.25rem 0; }
form.settings-section > fieldset { border: 1px solid var(--line); border-radius: 8px; padding: .75rem; margin: 0; min-width: 0; }
form.settings-section > fieldset > legend { padding: 0 .25rem; }
form.settings-section > fieldset > legend h2 { margin: 0; }
fieldset.group, fieldset.day-row, fieldset.run-row, fieldset.lift-row { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; min-width: 0; }
fieldset.group > legend { font-weight: 700; padding: 0 .25rem; }
fieldset.day-row > legend, fieldset.run-row > legend, fieldset.lift-row > legend { font-weight: 600; padding: 0 .25rem; }
div.group { margin: .5rem 0; }
.field { margin: .6rem 0; }
.field input, .field select, .field textarea { width: 100%; max-width: 100%; }
.field.time input { width: 6.5rem; }
select, textarea { font: inherit; min-height: 44px; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--fg); }
textarea { min-height: 5rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .15rem 0 .3rem; }
.field-error { color: var(--alert-fg); background: var(--alert-bg); border-left: 4px solid var(--alert-fg); padding: .3rem .5rem; margin: .3rem 0; font-weight: 600; }
[aria-invalid="true"] { border: 2px solid var(--alert-fg); }
.check { display: flex; align-items: center; gap: .5rem; margin: .4rem 0; min-height: 44px; }
.check input { width: 1.4rem; height: 1.4rem; min-height: 0; margin: 0; }
.check label { font-size: 1rem; }
.days { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.window { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.window .field { margin: .3rem 0; }
.error-summary h2 { margin-top: 0; font-size: 1.1rem; }
.error-summary a { color: var(--alert-fg); font-weight: 600; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
fieldset.run-row, fieldset.lift-row { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 .75rem; align-items: end; }
fieldset.run-row > .field-error, fieldset.run-row > .check, fieldset.run-row > .field:nth-of-type(5), fieldset.lift-row > .field-error { grid-column: 1 / -1; }
fieldset.run-row .field, fieldset.lift-row .field { margin: .3rem 0; }
fieldset.run-row .field.time input { width: 100%; }
@media (min-width: 40rem) {
  fieldset.run-row { grid-template-columns: minmax(8rem, 1.2fr) minmax(5rem, .7fr) minmax(5rem, .7fr) minmax(7rem, 1fr); }
}
`;

// The settings page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast. Every rule
// sits under .settings (the page's wrapper), so the other pages' own classes are left
// alone. Phone first: every control is full width and stacked; wider screens put a
// run's small fields side by side.
export const SETTINGS_CSS = `
.settings form.settings-section { margin: 1.25rem 0; }
.settings form.settings-section > fieldset { border: 1px solid var(--line); border-radius: 8px; padding: .75rem; margin: 0; min-width: 0; }
.settings form.settings-section > fieldset > legend { padding: 0 .25rem; }
.settings form.settings-section > fieldset > legend h2 { margin: 0; }
.settings fieldset.group, .settings fieldset.day-row, .settings fieldset.run-row, .settings fieldset.lift-row { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .75rem 0; min-width: 0; }
.settings fieldset.group > legend { font-weight: 700; padding: 0 .25rem; }
.settings fieldset.day-row > legend, .settings fieldset.run-row > legend, .settings fieldset.lift-row > legend { font-weight: 600; padding: 0 .25rem; }
.settings div.group { margin: .5rem 0; }
.settings .field { margin: .6rem 0; }
.settings .field input, .settings .field select, .settings .field textarea { width: 100%; max-width: 100%; }
.settings .field.time input { width: 6.5rem; }
.settings select, .settings textarea { font: inherit; min-height: 44px; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--fg); }
.settings textarea { min-height: 5rem; }
.settings .hint { color: var(--muted); font-size: .9rem; margin: .15rem 0 .3rem; }
.settings .field-error { color: var(--alert-fg); background: var(--alert-bg); border-left: 4px solid var(--alert-fg); padding: .3rem .5rem; margin: .3rem 0; font-weight: 600; }
.settings [aria-invalid="true"] { border: 2px solid var(--alert-fg); }
.settings .check { display: flex; align-items: center; gap: .5rem; margin: .4rem 0; min-height: 44px; }
.settings .check input { width: 1.4rem; height: 1.4rem; min-height: 0; margin: 0; }
.settings .check label { font-size: 1rem; }
.settings .days { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.settings .window { display: flex; flex-wrap: wrap; gap: 0 1rem; }
.settings .window .field { margin: .3rem 0; }
.settings .error-summary h2 { margin-top: 0; font-size: 1.1rem; }
.settings .error-summary a { color: var(--alert-fg); font-weight: 600; }
.settings .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; }
.settings fieldset.run-row, .settings fieldset.lift-row { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0 .75rem; align-items: end; }
.settings fieldset.run-row > .field-error, .settings fieldset.run-row > .check, .settings fieldset.run-row > .field:nth-of-type(5), .settings fieldset.lift-row > .field-error { grid-column: 1 / -1; }
.settings fieldset.run-row .field, .settings fieldset.lift-row .field { margin: .3rem 0; }
.settings fieldset.run-row .field.time input { width: 100%; }
@media (min-width: 40rem) {
  .settings fieldset.run-row { grid-template-columns: minmax(8rem, 1.2fr) minmax(5rem, .7fr) minmax(5rem, .7fr) minmax(7rem, 1fr); }
}
`;

// The notifications page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast. Every rule sits under
// .notifications (the page's wrapper), so the other pages' own classes are left alone.
export const NOTIFICATIONS_CSS = `
.notifications section { margin-bottom: 1.5rem; }
.notifications .stack { display: flex; flex-direction: column; gap: .75rem; align-items: flex-start; margin: .75rem 0; }
.notifications .stack > div { width: 100%; }
.notifications .hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.notifications .field-error { color: var(--alert-fg); background: var(--alert-bg); border-radius: 6px; padding: .25rem .5rem; margin: .25rem 0; font-size: .95rem; }
.notifications input[aria-invalid="true"] { border: 2px solid var(--alert-fg); }
.notifications input[type="email"], .notifications .feed input { width: 100%; }
.notifications .feed input { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; }
.notifications fieldset { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .75rem; margin: 0; }
.notifications legend { padding: 0 .25rem; font-weight: 600; }
.notifications .check { display: flex; align-items: center; gap: .5rem; min-height: 44px; }
.notifications .check input { min-height: 0; width: 1.5rem; height: 1.5rem; margin: 0; accent-color: var(--accent); }
.notifications .check label { font-size: 1rem; }
.notifications #devices-h { margin-top: 1.25rem; }
.notifications #devices { padding-left: 1.2rem; }
.notifications #copy-status:empty { display: none; }
.notifications #copy-status { font-weight: 700; color: var(--ok-fg); background: var(--ok-bg); border-radius: 6px; padding: .25rem .5rem; display: inline-block; }
.notifications button:disabled { opacity: .6; cursor: progress; }
`;

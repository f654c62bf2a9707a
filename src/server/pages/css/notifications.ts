// The notifications page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast.
export const NOTIFICATIONS_CSS = `
#main section { margin-bottom: 1.5rem; }
#main .stack { display: flex; flex-direction: column; gap: .75rem; align-items: flex-start; margin: .75rem 0; }
#main .stack > div { width: 100%; }
#main .hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
#main .field-error { color: var(--alert-fg); background: var(--alert-bg); border-radius: 6px; padding: .25rem .5rem; margin: .25rem 0; font-size: .95rem; }
#main input[aria-invalid="true"] { border: 2px solid var(--alert-fg); }
#main input[type="email"], #main .feed input { width: 100%; }
#main .feed input { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem; }
#main fieldset { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .75rem; margin: 0; }
#main legend { padding: 0 .25rem; font-weight: 600; }
#main .check { display: flex; align-items: center; gap: .5rem; min-height: 44px; }
#main .check input { min-height: 0; width: 1.5rem; height: 1.5rem; margin: 0; accent-color: var(--accent); }
#main .check label { font-size: 1rem; }
#main #devices-h { margin-top: 1.25rem; }
#main #devices { padding-left: 1.2rem; }
#main #copy-status:empty { display: none; }
#main #copy-status { font-weight: 700; color: var(--ok-fg); background: var(--ok-bg); border-radius: 6px; padding: .25rem .5rem; display: inline-block; }
#main button:disabled { opacity: .6; cursor: progress; }
`;

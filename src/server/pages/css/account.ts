// The account page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast. Every rule
// is scoped to the pages' .account wrapper. The danger colour is the alert text
// colour (7:1 and more on the page background in both schemes); a filled danger
// button swaps it with the background.
export const ACCOUNT_CSS = `
.account .state { margin: .25rem 0; }
.account .state-needs_reauth, .account .state-revoked { font-weight: 700; color: var(--alert-fg); }
.account a.button { background: var(--bg); color: var(--accent); font-size: 1rem; font-weight: 400; border: 2px solid var(--accent); }
.account a.button.fix { background: var(--accent); color: var(--bg); font-weight: 700; }
.account a.button.strava { background: #fc4c02; color: #ffffff; font-size: 1.2rem; font-weight: 700; border: 0; }
.account button.danger { background: var(--alert-fg); color: var(--bg); border-color: var(--alert-fg); font-weight: 700; }
.account a.button.danger { color: var(--alert-fg); border-color: var(--alert-fg); }
.account .field-error { color: var(--alert-fg); font-weight: 700; margin: .25rem 0; }
.account input[aria-invalid="true"] { border: 2px solid var(--alert-fg); }
.account #confirm { display: block; margin: .25rem 0 .5rem; width: 100%; max-width: 16rem; }
`;

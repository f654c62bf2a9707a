// The pages' one stylesheet, served from /assets/app.css (the CSP allows no inline
// style). Phone first; light and dark follow the system (prefers-color-scheme);
// every colour pair meets WCAG AA (4.5:1 for text, 3:1 for large bold text and
// focus rings). Strava's orange (#FC4C02) carries white text only at large bold
// size, where it passes (3.4:1), as Strava's own buttons do.
import { ACCOUNT_CSS } from "./css/account.ts";
import { NOTIFICATIONS_CSS } from "./css/notifications.ts";
import { SETTINGS_CSS } from "./css/settings.ts";

const BASE_CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1b1b; --muted: #4a4a4a; --card: #f4f4f2; --line: #c9c9c4;
  --accent: #0b5cad; --focus: #0b5cad; --easy: #1d6b35; --quality: #a4301a; --rest: #4a4a4a; --alert-bg: #fdecea; --alert-fg: #7a1b0c; --ok-bg: #e7f4ea; --ok-fg: #14532d; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121212; --fg: #eeeeee; --muted: #bdbdbd; --card: #1f1f1f; --line: #4a4a4a;
    --accent: #8ab8ff; --focus: #ffd166; --easy: #7fd69a; --quality: #ff9e85; --rest: #bdbdbd; --alert-bg: #3b1410; --alert-fg: #ffd2c8; --ok-bg: #12301d; --ok-fg: #bff0cc; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: .5rem; top: -3rem; padding: .5rem 1rem; background: var(--bg); color: var(--fg); border: 2px solid var(--focus); z-index: 1; }
.skip:focus { top: .5rem; }
header.site { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header.site .brand { font-weight: 700; font-size: 1.1rem; color: var(--fg); text-decoration: none; }
header.site nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; align-items: center; }
main { max-width: 46rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.muted { color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem; margin: .5rem 0; }
.day { border-top: 1px solid var(--line); padding: .75rem 0; }
.kind { font-weight: 700; text-transform: capitalize; }
.kind-easy { color: var(--easy); } .kind-quality { color: var(--quality); } .kind-rest { color: var(--rest); }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .25rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
ul.reasons { margin: .25rem 0; padding-left: 1.2rem; }
ul.runs { list-style: none; margin: .25rem 0; padding: 0; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; align-items: flex-end; }
.actions form { margin: 0; }
button, .button { font: inherit; min-height: 44px; padding: .5rem 1rem; border-radius: 6px; border: 2px solid var(--accent); background: var(--bg); color: var(--accent); cursor: pointer; text-decoration: none; display: inline-block; }
button.primary { background: var(--accent); color: var(--bg); }
label { display: block; font-size: .9rem; }
input { font: inherit; min-height: 44px; padding: .3rem .5rem; border: 1px solid var(--muted); border-radius: 6px; background: var(--bg); color: var(--fg); }
.strava { display: inline-block; background: #fc4c02; color: #ffffff; font-weight: 700; font-size: 1.2rem; padding: .7rem 1.2rem; border-radius: 6px; text-decoration: none; border: 0; }
.garmin { font-weight: 700; font-size: 1.1rem; }
.connect { display: flex; flex-direction: column; gap: 1rem; align-items: flex-start; margin: 1.5rem 0; }
.alert { background: var(--alert-bg); color: var(--alert-fg); border-radius: 6px; padding: .75rem; margin: 1rem 0; }
.ok { background: var(--ok-bg); color: var(--ok-fg); border-radius: 6px; padding: .75rem; margin: 1rem 0; }
.status { font-weight: 700; }
details.log fieldset { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; padding: .5rem .75rem; min-width: 0; }
details.log legend { font-weight: 700; padding: 0 .25rem; }
details.log { margin-top: .75rem; }
details.log > summary { width: fit-content; min-height: 44px; padding: .5rem 1rem; border: 2px solid var(--accent); border-radius: 6px; color: var(--accent); font-weight: 600; cursor: pointer; }
details.log[open] > summary { margin-bottom: .5rem; }
.set { display: grid; grid-template-columns: repeat(2, minmax(0, 10rem)); gap: .25rem 1rem; margin: .25rem 0; align-items: start; }
.set input { width: 100%; }
details.log .field-error { background: var(--alert-bg); color: var(--alert-fg); border-radius: 4px; padding: .25rem .5rem; margin: .25rem 0; font-size: .9rem; }
input[aria-invalid="true"] { border: 2px solid var(--quality); }
table.lifted { margin-top: .75rem; }
table.lifted caption { text-align: left; font-weight: 600; }
.error-detail { overflow-wrap: anywhere; }
a.button { background: #fc4c02; color: #ffffff; font-weight: 700; font-size: 1.2rem; border: 0; }
@media (min-width: 48rem) { main { padding: 1.5rem 2rem; } }
`;

export const APP_CSS = BASE_CSS + SETTINGS_CSS + NOTIFICATIONS_CSS + ACCOUNT_CSS;

// The notifications page's rules, appended to /assets/app.css (app-css.ts). Use the colour
// variables of app-css.ts so light and dark both keep WCAG AA contrast.
export const NOTIFICATIONS_CSS = `
`;

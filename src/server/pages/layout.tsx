// The pages' shared frame: phone first, light and dark, a skip link, one <main>,
// and the sign-out form (a POST carrying the CSRF token) when signed in. Styles
// come from /assets/app.css: the CSP runs no inline style or script.

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { CSRF_FIELD } from "../middleware/csrf.ts";

export const CSS_PATH = "/assets/app.css";

export interface LayoutProps {
  title: string;
  /** the CSRF token of the signed-in session; absent when signed out */
  csrf?: string;
  children?: Child;
}

/** A hidden field carrying the session's CSRF token, for every form. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

export function Layout({ title, csrf, children }: LayoutProps) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title>{`${title} · runstrong`}</title>
          <link rel="stylesheet" href={CSS_PATH} />
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="site">
            <a class="brand" href="/">
              runstrong
            </a>
            {csrf ? (
              <nav aria-label="Account">
                <ul>
                  <li>
                    <a href="/plan">Plan</a>
                  </li>
                  <li>
                    <a href="/settings">Settings</a>
                  </li>
                  <li>
                    <a href="/notifications">Notifications</a>
                  </li>
                  <li>
                    <a href="/account">Account</a>
                  </li>
                  <li>
                    <form method="post" action="/sign-out">
                      <CsrfField token={csrf} />
                      <button type="submit">Sign out</button>
                    </form>
                  </li>
                </ul>
              </nav>
            ) : null}
          </header>
          <main id="main" tabindex={-1}>
            <h1>{title}</h1>
            {children}
          </main>
        </body>
      </html>
    </>
  );
}

// Errors a person can read: the HTML answer a browser gets where the API answers
// JSON (content negotiation on Accept: text/html, never for /api/ paths). A
// signed-in athlete keeps the nav, sign-out form included, on an error page too;
// a 500 page shows the request id, which the logs carry, for the athlete to quote.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppDeps } from "../deps.ts";
import { csrfToken } from "../middleware/csrf.ts";
import { sessionAthleteId } from "../session.ts";
import { Layout } from "./layout.tsx";

/** Whether the request is a browser's page load rather than an API call. */
export function wantsHtml(c: Context): boolean {
  if (c.req.path.startsWith("/api/")) return false;
  return (c.req.header("accept") ?? "").includes("text/html");
}

const TITLES: Partial<Record<number, string>> = {
  400: "That request was not understood",
  401: "Please sign in",
  403: "That was refused",
  404: "Page not found",
  413: "That was too large",
  415: "That was refused",
  422: "That cannot be done",
  503: "runstrong is busy for a moment",
};

/** The CSRF token for the nav's sign-out form when the request carries a valid session; else undefined (no nav). */
export function signedInCsrf(c: Context, deps: Pick<AppDeps, "config" | "now">): string | undefined {
  return sessionAthleteId(c, deps.config, deps.now()) === null ? undefined : csrfToken(c, deps.config);
}

/** The page for a refusal or a failure; `csrf` (signedInCsrf) keeps a signed-in athlete's nav. */
export function errorPage(c: Context, status: ContentfulStatusCode, message: string, csrf?: string) {
  const requestId = c.get("requestId") as string | undefined;
  const title =
    status >= 500 && status !== 503 ? "Something went wrong" : (TITLES[status] ?? "That did not work");
  return c.html(
    <Layout title={title} {...(csrf ? { csrf } : {})}>
      <p class="error-detail">{message}</p>
      {requestId ? (
        <p class="muted">
          Request id: <code>{requestId}</code>
          {status >= 500 ? " (quote it if you report this)" : null}
        </p>
      ) : null}
      <p>
        <a href="/">Back to runstrong</a>
      </p>
    </Layout>,
    status,
  );
}

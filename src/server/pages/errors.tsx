// Errors a person can read: the HTML answer a browser gets where the API answers
// JSON (content negotiation on Accept: text/html, never for /api/ paths).
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
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

export function errorPage(c: Context, status: ContentfulStatusCode, message: string) {
  const requestId = c.get("requestId") as string | undefined;
  const title =
    status >= 500 && status !== 503 ? "Something went wrong" : (TITLES[status] ?? "That did not work");
  return c.html(
    <Layout title={title}>
      <p>{message}</p>
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

/**
 * What every request shares: the CSRF cookie, the ended-session signal and the message to show for a
 * failure. The typed JSON client is typed.ts (openapi-fetch over the generated schema); uploads with
 * progress go through send-form.ts.
 */
import { csrfToken } from "./csrf";
import { ApiError, networkError } from "./errors";

export { ApiError };

const CSRF_PATH = "/api/auth/csrf/";

/** Dispatched on window when an API call finds the session gone. */
export const SESSION_ENDED_EVENT = "fusqa:session-ended";

/** The page that loaded the app set the cookie; if it is gone (cleared, expired), ask again. */
export async function ensureCsrfCookie(): Promise<void> {
  if (csrfToken()) return;
  try {
    await fetch(CSRF_PATH, { method: "GET", headers: { Accept: "application/json" }, credentials: "same-origin" });
  } catch {
    throw networkError();
  }
}

/** The message to show for anything a page's request threw. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong in the page. Reload and try again.";
}

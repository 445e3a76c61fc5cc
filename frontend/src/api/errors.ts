/** What went wrong with a request, with a message fit to show the person using the app. */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** The server does not know who is asking (no session, or it expired). */
  get isUnauthenticated(): boolean {
    return this.status === 401 || this.code === "not_authenticated";
  }
}

interface ErrorBody {
  error: { code?: unknown; message?: unknown; field?: unknown; details?: unknown };
}

function isErrorBody(body: unknown): body is ErrorBody {
  return (
    typeof body === "object" &&
    body !== null &&
    "error" in body &&
    typeof (body as ErrorBody).error === "object" &&
    (body as ErrorBody).error !== null
  );
}

/**
 * Turns a failed response's body into an ApiError. The API always answers
 * {"error": {"code", "message", "field"?}}; anything else (a proxy's HTML page, an empty body)
 * still gives a readable message instead of "undefined".
 */
export function errorFromBody(status: number, statusText: string, body: unknown): ApiError {
  if (isErrorBody(body)) {
    const { code, message, field, details } = body.error;
    return new ApiError(
      status,
      typeof code === "string" && code ? code : "error",
      typeof message === "string" && message ? message : fallbackMessage(status, statusText),
      typeof field === "string" ? field : firstField(details),
      details,
    );
  }
  return new ApiError(status, "error", fallbackMessage(status, statusText));
}

/** A validation error names its fields only in `details` ({field: [messages]}): take the first. */
function firstField(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null || Array.isArray(details)) return undefined;
  const name = Object.keys(details)[0];
  return name && name !== "non_field_errors" ? name : undefined;
}

function fallbackMessage(status: number, statusText: string): string {
  if (status === 413) return "The file is too large for the server to accept.";
  if (status >= 500) return `The server failed to answer (${status}). Try again in a moment.`;
  return `The server answered ${status}${statusText ? ` ${statusText}` : ""}.`;
}

export const networkError = (): ApiError =>
  new ApiError(0, "network", "Could not reach the server. Check the connection and try again.");

import type { ReactNode } from "react";

export type AlertKind = "error" | "info" | "success";

/**
 * A visible message box. Errors use role="alert" so a screen reader announces them at once;
 * the others are polite status messages.
 */
export function Alert({ kind, title, children }: { kind: AlertKind; title?: string; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {title ? <strong className="alert-title">{title}</strong> : null}
      <p>{children}</p>
    </div>
  );
}

export function Loading({ children = "Loading…" }: { children?: string }) {
  return (
    <p className="loading" role="status">
      {children}
    </p>
  );
}

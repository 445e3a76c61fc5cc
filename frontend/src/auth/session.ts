/** Who is using the app: the session check, login and logout (session cookies, CSRF-protected). */
import { ApiError } from "../api/errors";
import { api, unwrap, type Schemas } from "../api/typed";

export type Role = Schemas["Role"];
export type HospitalRef = Schemas["HospitalRef"];
export type Me = Schemas["Me"];

export const ROLE_LABELS: Record<Role, string> = {
  qa_manager: "QA manager",
  expert: "Expert",
  admin: "Admin",
};

/** The logged-in user, or null where there is no session. Other failures propagate. */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await unwrap(api.GET("/api/auth/me/", { signal }));
  } catch (error) {
    if (error instanceof ApiError && (error.isUnauthenticated || error.status === 403)) return null;
    throw error;
  }
}

export function login(username: string, password: string): Promise<Me> {
  return unwrap(api.POST("/api/auth/login/", { body: { username, password } })) as Promise<Me>;
}

export async function logout(): Promise<void> {
  await unwrap(api.POST("/api/auth/logout/"));
}

export function canUpload(me: Me): boolean {
  return me.role === "qa_manager" || me.role === "admin";
}

/** Experts and admins review masks; QA managers only look. */
export function canReview(me: Me): boolean {
  return me.role === "expert" || me.role === "admin";
}

export function isAdmin(me: Me): boolean {
  return me.role === "admin";
}

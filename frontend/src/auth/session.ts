/** Who is using the app: the session check, login and logout (session cookies, CSRF-protected). */
import { ApiError, getJson, postJson } from "../api/client";

export type Role = "qa_manager" | "expert" | "admin";

export interface HospitalRef {
  id: number;
  name: string;
  slug: string;
}

export interface Me {
  id: number;
  username: string;
  role: Role;
  hospitals: HospitalRef[];
}

export const ROLE_LABELS: Record<Role, string> = {
  qa_manager: "QA manager",
  expert: "Expert",
  admin: "Admin",
};

/** The logged-in user, or null where there is no session. Other failures propagate. */
export async function fetchMe(signal?: AbortSignal): Promise<Me | null> {
  try {
    return await getJson<Me>("/api/auth/me/", signal);
  } catch (error) {
    if (error instanceof ApiError && (error.isUnauthenticated || error.status === 403)) return null;
    throw error;
  }
}

export function login(username: string, password: string): Promise<Me> {
  return postJson<Me>("/api/auth/login/", { username, password });
}

export async function logout(): Promise<void> {
  await postJson<void>("/api/auth/logout/");
}

export function canUpload(me: Me): boolean {
  return me.role === "qa_manager" || me.role === "admin";
}

export function isAdmin(me: Me): boolean {
  return me.role === "admin";
}

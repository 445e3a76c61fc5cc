/**
 * The pages behind the login, in navigation order. A new page is one line here; paths may take
 * parameters, e.g. { path: "/studies/:id", title: "Study", Page: StudyPage }.
 */
import type { ComponentType } from "react";
import { AlertsPage } from "../alerts/AlertsPage";
import { AUDIT_PATH, AuditPage } from "../audit/AuditPage";
import { canReview, canUpload, isAdmin, type Me } from "../auth/session";
import { DASHBOARD_PATH, DashboardPage } from "../dashboard/DashboardPage";
import { FramesPage } from "../dashboard/FramesPage";
import { EXPERTS_PATH, ExpertsPage } from "../experts/ExpertsPage";
import { HospitalsPage } from "../hospitals/HospitalsPage";
import { LazyReviewPage, REVIEW_PATH } from "../review/LazyReviewPage";
import { StudiesPage } from "../studies/StudiesPage";
import { StudyPage } from "../studies/StudyPage";
import { TRAINING_SETS_PATH, TrainingSetsPage } from "../training-sets/TrainingSetsPage";
import { UploadPage } from "../upload/UploadPage";

export interface AppRoute {
  /** A React Router pattern: "/hospitals", "/studies/:id". */
  path: string;
  title: string;
  /** Label in the navigation bar; pages without one (details) are reached through links. */
  nav?: string;
  /** Who may open it; every logged-in user where absent. */
  allowed?: (me: Me) => boolean;
  Page: ComponentType;
}

/** "/" leads here: the dashboard is the home page. */
export const HOME_PATH = DASHBOARD_PATH;
export const LOGIN_PATH = "/login";

export const routes: AppRoute[] = [
  { path: DASHBOARD_PATH, title: "Dashboard", nav: "Dashboard", Page: DashboardPage },
  { path: `${DASHBOARD_PATH}/frames`, title: "Frames", Page: FramesPage },
  { path: "/alerts", title: "Drift alerts", nav: "Alerts", Page: AlertsPage },
  { path: "/hospitals", title: "Hospitals", nav: "Hospitals", Page: HospitalsPage },
  { path: "/studies", title: "Studies", nav: "Studies", Page: StudiesPage },
  { path: "/studies/:id", title: "Study", Page: StudyPage },
  { path: REVIEW_PATH, title: "Review", nav: "Review", allowed: canReview, Page: LazyReviewPage },
  { path: "/upload", title: "Upload", nav: "Upload", allowed: canUpload, Page: UploadPage },
  { path: EXPERTS_PATH, title: "Experts", nav: "Experts", allowed: isAdmin, Page: ExpertsPage },
  { path: TRAINING_SETS_PATH, title: "Training sets", nav: "Training", allowed: isAdmin, Page: TrainingSetsPage },
  { path: AUDIT_PATH, title: "Audit log", nav: "Audit log", allowed: isAdmin, Page: AuditPage },
];

/** Only an in-app path may follow login: never another site ("//evil.example") or the API. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith(LOGIN_PATH)) return HOME_PATH;
  if (/^\/(api|admin|static|media)\//.test(next)) return HOME_PATH;
  return next;
}

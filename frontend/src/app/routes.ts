/**
 * The pages behind the login, in navigation order. A new page is one line here; paths may take
 * parameters, e.g. { path: "/studies/:id", title: "Study", render: studyPage }.
 */
import { AUDIT_PATH, auditPage } from "../audit/page";
import { canUpload, isAdmin } from "../auth/session";
import { hospitalsPage } from "../hospitals/page";
import { studiesPage } from "../studies/list-page";
import { studyPage } from "../studies/study-page";
import { uploadPage } from "../upload/page";
import type { AppRoute } from "./page";

export const HOME_PATH = "/hospitals";

export const routes: AppRoute[] = [
  { path: "/hospitals", title: "Hospitals", nav: "Hospitals", render: hospitalsPage },
  { path: "/studies", title: "Studies", nav: "Studies", render: studiesPage },
  { path: "/studies/:id", title: "Study", render: studyPage },
  { path: "/upload", title: "Upload", nav: "Upload", allowed: canUpload, render: uploadPage },
  { path: AUDIT_PATH, title: "Audit log", nav: "Audit log", allowed: isAdmin, render: auditPage },
];

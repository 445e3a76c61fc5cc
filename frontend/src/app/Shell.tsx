/** The frame around every page behind the login: brand, navigation, who is logged in, logout. */
import { useState } from "react";
import { Link, NavLink, Outlet } from "react-router";
import { logout, ROLE_LABELS } from "../auth/session";
import { useSession } from "./session-context";
import { HOME_PATH, routes } from "./routes";
import { useMe } from "./session-context";


export function Shell() {
  const me = useMe();
  const session = useSession();
  const [leaving, setLeaving] = useState(false);
  const links = routes.filter((route) => route.nav && (!route.allowed || route.allowed(me)));

  async function endSession() {
    setLeaving(true);
    try {
      await logout();
    } catch {
      // Already logged out on the server, or unreachable: either way, leave the session here.
    }
    session.forget();
  }

  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar-inner">
          <Link className="brand" to={HOME_PATH} aria-label="FUSQA home">
            FUSQA
          </Link>
          <nav aria-label="Main">
            <ul className="nav-list">
              {links.map((route) => (
                <li key={route.path}>
                  <NavLink className="nav-link" to={route.path} end>
                    {route.nav}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="user">
            <span className="user-name">{me.username}</span>
            <span className="badge">{ROLE_LABELS[me.role] ?? me.role}</span>
            <button type="button" className="button button-quiet" disabled={leaving} onClick={endSession}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

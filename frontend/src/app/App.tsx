/**
 * Starts the app: asks the server who is logged in, then routes. Pages behind the login get the
 * shell; anyone without a session is sent to /login?next=… and brought back after logging in.
 * Server state lives in TanStack Query's cache; the session is the query ["me"].
 */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from "react-router";
import { messageOf, SESSION_ENDED_EVENT } from "../api/client";
import { LoginPage } from "../auth/LoginPage";
import { fetchMe } from "../auth/session";
import { Alert } from "../ui/Alert";
import { REDIRECT, useFocusOnNavigate, useTitle } from "./focus";
import { HOME_PATH, LOGIN_PATH, routes, safeNext, type AppRoute } from "./routes";
import { ME_KEY, MeContext, useMe, useSession } from "./session-context";
import { Shell } from "./Shell";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // A page shows the server's answer or its error message; it does not retry behind the person's back.
      queries: { retry: false, refetchOnWindowFocus: false, staleTime: 10_000 },
    },
  });
}

export function App({ client = createQueryClient() }: { client?: QueryClient }) {
  return (
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <Root />
      </BrowserRouter>
    </QueryClientProvider>
  );
}

function Root() {
  useFocusOnNavigate();
  const me = useQuery({ queryKey: ME_KEY, queryFn: ({ signal }) => fetchMe(signal), staleTime: Infinity });
  const session = useSession();
  const signedIn = Boolean(me.data);

  useEffect(() => {
    if (!me.isPending) document.getElementById("app")?.removeAttribute("aria-busy");
  }, [me.isPending]);

  useEffect(() => {
    if (!signedIn) return;
    const ended = () => session.forget("Your session has ended. Log in again to continue.");
    window.addEventListener(SESSION_ENDED_EVENT, ended);
    return () => window.removeEventListener(SESSION_ENDED_EVENT, ended);
  }, [signedIn, session]);

  if (me.isPending) return null;
  if (me.isError) {
    return (
      <main id="main" className="login-screen">
        <Alert kind="error" title="FUSQA could not start">
          {messageOf(me.error)}
        </Alert>
      </main>
    );
  }
  return (
    <Routes>
      <Route path={LOGIN_PATH} element={me.data ? <AfterLogin /> : <LoginPage />} />
      <Route path="*" element={me.data ? <MeContext value={me.data}><LoggedIn /></MeContext> : <ToLogin />} />
    </Routes>
  );
}

function LoggedIn() {
  return (
    <Routes>
      <Route path="/" element={<Navigate to={HOME_PATH} replace state={REDIRECT} />} />
      <Route element={<Shell />}>
        {routes.map((route) => (
          <Route key={route.path} path={route.path} element={<RoutePage route={route} />} />
        ))}
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/**
 * The login page of someone logged in: straight on to where they were going (a page change, so focus
 * follows). Just logged out, the session is being forgotten: the login page stays.
 */
function AfterLogin() {
  const { search, state } = useLocation();
  if ((state as { loggedOut?: boolean } | null)?.loggedOut) return <ForgetSession />;
  return <Navigate to={safeNextOf(search)} replace />;
}

function ForgetSession() {
  const session = useSession();
  useEffect(() => session.clear(), [session]);
  return <LoginPage />;
}

function safeNextOf(search: string): string {
  return safeNext(new URLSearchParams(search).get("next"));
}

function ToLogin() {
  const { pathname, search } = useLocation();
  const next = pathname + search;
  const to = next === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
  return <Navigate to={to} replace state={REDIRECT} />;
}

function RoutePage({ route }: { route: AppRoute }) {
  const me = useMe();
  useTitle(route.title);
  if (route.allowed && !route.allowed(me)) return <NotAllowed title={route.title} />;
  return <route.Page />;
}

function NotFound() {
  useTitle("Not found");
  return (
    <section className="stack">
      <h1>Page not found</h1>
      <p>
        There is no page at this address. <Link to={HOME_PATH}>Go to the dashboard</Link>.
      </p>
    </section>
  );
}

function NotAllowed({ title }: { title: string }) {
  return (
    <section className="stack">
      <h1>{title}</h1>
      <Alert kind="info">Your role does not include this page. Ask a FUSQA administrator if you need it.</Alert>
    </section>
  );
}

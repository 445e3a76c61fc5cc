import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useMemo } from "react";
import { useNavigate } from "react-router";
import type { Me } from "../auth/session";
import { LOGIN_PATH } from "./routes";

/** The query that holds the session: the logged-in user, or null. */
export const ME_KEY = ["me"] as const;

/** The logged-in user, for every page behind the login (the app provides it). */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() outside the logged-in part of the app");
  return me;
}

/** Starting and ending the session in the app (the server's side is in auth/session.ts). */
export function useSession() {
  const client = useQueryClient();
  const navigate = useNavigate();
  return useMemo(
    () => ({
      signedIn(me: Me) {
        client.setQueryData(ME_KEY, me);
      },
      /**
       * Shows the login page, then (once it is shown: see AfterLogin in App.tsx) forgets the user and
       * every answer fetched for them. In that order, so no page behind the login sees a missing user.
       */
      forget(notice?: string) {
        navigate(LOGIN_PATH, { state: { loggedOut: true, ...(notice ? { notice } : {}) } });
      },
      clear() {
        client.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
        client.setQueryData(ME_KEY, null);
      },
    }),
    [client, navigate],
  );
}

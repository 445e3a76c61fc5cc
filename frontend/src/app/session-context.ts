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
      /** Forgets the user and every answer fetched for them, then shows the login page. */
      forget(notice?: string) {
        client.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
        client.setQueryData(ME_KEY, null);
        navigate(LOGIN_PATH, { state: notice ? { notice } : null });
      },
    }),
    [client, navigate],
  );
}

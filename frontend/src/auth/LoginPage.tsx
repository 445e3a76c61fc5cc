import { useRef, useState, type FormEvent } from "react";
import { useLocation } from "react-router";
import { messageOf } from "../api/client";
import { useTitle } from "../app/focus";
import { useSession } from "../app/session-context";
import { Alert } from "../ui/Alert";
import { login } from "./session";

export function LoginPage() {
  useTitle("Log in");
  const location = useLocation();
  const session = useSession();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const username = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const name = username.current!.value.trim();
    const secret = password.current!.value;
    if (!name || !secret) {
      setError("Enter your username and password.");
      (name ? password : username).current!.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // The app then sends the person on to ?next= (see AfterLogin in app/App.tsx).
      session.signedIn(await login(name, secret));
    } catch (failure) {
      setError(messageOf(failure));
      password.current!.value = "";
      password.current!.focus();
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login-screen" tabIndex={-1}>
      <section className="card login-card" aria-labelledby="login-title">
        <p className="brand brand-large">FUSQA</p>
        <h1 id="login-title">Log in</h1>
        <p id="login-help" className="muted">
          Fetal ultrasound segmentation quality. Use the account your FUSQA administrator gave you.
        </p>
        <form className="stack" noValidate aria-describedby="login-help" onSubmit={submit}>
          <div className="form-feedback">
            {error ? <Alert kind="error">{error}</Alert> : notice ? <Alert kind="info">{notice}</Alert> : null}
          </div>
          <div className="field">
            <label htmlFor="login-username">Username</label>
            <input
              ref={username}
              id="login-username"
              name="username"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              ref={password}
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
            />
          </div>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Logging in…" : "Log in"}
          </button>
        </form>
      </section>
    </main>
  );
}

import { messageOf } from "../api/client";
import { alertBox } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import { login, type Me } from "./session";

export interface LoginPageOptions {
  onLoggedIn: (me: Me) => void;
  /** A message to show above the form, e.g. "Your session ended". */
  notice?: string;
}

export function loginPage({ onLoggedIn, notice }: LoginPageOptions): HTMLElement {
  const feedback = h("div", { class: "form-feedback" }, notice ? alertBox("info", notice) : null);
  const username = h("input", {
    id: "login-username",
    name: "username",
    type: "text",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
  });
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Log in");

  const form = h(
    "form",
    { class: "stack", novalidate: true, "aria-describedby": "login-help" },
    feedback,
    h("div", { class: "field" }, h("label", { for: "login-username" }, "Username"), username),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!username.value.trim() || !password.value) {
      replaceChildren(feedback, alertBox("error", "Enter your username and password."));
      (username.value.trim() ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Logging in…";
    replaceChildren(feedback);
    try {
      onLoggedIn(await login(username.value.trim(), password.value));
    } catch (error) {
      replaceChildren(feedback, alertBox("error", messageOf(error)));
      password.value = "";
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = "Log in";
    }
  });

  return h(
    "main",
    { id: "main", class: "login-screen", tabindex: "-1" },
    h(
      "section",
      { class: "card login-card", "aria-labelledby": "login-title" },
      h("p", { class: "brand brand-large" }, "FUSQA"),
      h("h1", { id: "login-title" }, "Log in"),
      h(
        "p",
        { id: "login-help", class: "muted" },
        "Fetal ultrasound segmentation quality. Use the account your FUSQA administrator gave you.",
      ),
      form,
    ),
  );
}

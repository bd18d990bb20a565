import { Form, Link, NavLink } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import type { MessageKey } from "~/i18n";
import { useT } from "~/i18n/react";
import { LanguageSwitch } from "./language-switch";

export type ShellProps = {
  brandHref: string;
  title: string;
  nav: Array<{ key: string; label: MessageKey; path: string }>;
  user: { name: string; roles: MessageKey[] } | null;
  loginHref?: string;
  logoutAction?: string;
  accountHref?: string;
  children: ReactNode;
};

export function AppShell({ brandHref, title, nav, user, loginHref, logoutAction, accountHref, children }: ShellProps) {
  const t = useT();
  const [open, setOpen] = useState(false);
  return (
    <div className="flex min-h-screen flex-col bg-slate-50">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2">
        {t("common.skipToContent")}
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl items-center gap-4 px-4 py-3">
          <Link to={brandHref} className="flex items-center gap-2 font-semibold text-brand-900">
            <span aria-hidden className="inline-flex h-8 w-8 items-center justify-center rounded-md bg-brand-600 text-white">
              安
            </span>
            <span className="hidden sm:inline">{t("app.name")}</span>
          </Link>
          <span className="hidden truncate text-sm text-slate-500 md:inline">{title}</span>
          <div className="ml-auto flex items-center gap-2">
            <LanguageSwitch />
            {user ? (
              <>
                {accountHref ? (
                  <Link to={accountHref} className="hidden text-sm text-slate-700 hover:underline sm:inline" data-testid="user-name">
                    {user.name}
                  </Link>
                ) : null}
                {logoutAction ? (
                  <Form method="post" action={logoutAction}>
                    <button type="submit" className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100">
                      {t("nav.logout")}
                    </button>
                  </Form>
                ) : null}
              </>
            ) : loginHref ? (
              <Link to={loginHref} className="btn-primary py-1.5">
                {t("nav.login")}
              </Link>
            ) : null}
            {nav.length > 0 ? (
              <button
                type="button"
                className="rounded-md p-2 text-slate-600 hover:bg-slate-100 md:hidden"
                aria-expanded={open}
                aria-controls="main-nav"
                onClick={() => setOpen((v) => !v)}
              >
                <span className="sr-only">{t("nav.openMenu")}</span>
                <svg aria-hidden width="20" height="20" viewBox="0 0 20 20" fill="currentColor">
                  <path d="M3 5h14v2H3zM3 9h14v2H3zM3 13h14v2H3z" />
                </svg>
              </button>
            ) : null}
          </div>
        </div>
        {nav.length > 0 ? (
          <nav
            id="main-nav"
            aria-label={t("nav.mainMenu")}
            className={`${open ? "block" : "hidden"} border-t border-slate-100 md:block`}
            data-testid="main-nav"
          >
            <ul className="mx-auto flex max-w-7xl flex-col gap-1 px-4 py-2 md:flex-row md:gap-2">
              {nav.map((item) => (
                <li key={item.key}>
                  <NavLink
                    to={`${brandHref}${item.path}`}
                    end={item.path === ""}
                    data-nav={item.key}
                    className={({ isActive }) =>
                      `block rounded-md px-3 py-1.5 text-sm ${isActive ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`
                    }
                    onClick={() => setOpen(false)}
                  >
                    {t(item.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <main id="main" className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">
        {children}
      </main>
      <footer className="border-t border-slate-200 bg-white py-4 text-center text-xs text-slate-500">{t("footer.note")}</footer>
    </div>
  );
}

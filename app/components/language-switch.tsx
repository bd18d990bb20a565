import { Form, useLocation } from "@remix-run/react";
import { useLocale, useT } from "~/i18n/react";

export function LanguageSwitch() {
  const t = useT();
  const locale = useLocale();
  const location = useLocation();
  const next = locale === "zh-CN" ? "en" : "zh-CN";
  return (
    <Form method="post" action="/set-locale" className="inline">
      <input type="hidden" name="locale" value={next} />
      <input type="hidden" name="redirectTo" value={`${location.pathname}${location.search}`} />
      <button
        type="submit"
        className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100"
        data-testid="language-switch"
      >
        {/* The accessible name starts with what is shown (WCAG 2.5.3), then says what it is for. */}
        <span lang={next}>{t("lang.switch")}</span>
        <span className="sr-only"> ({t("lang.label")})</span>
      </button>
    </Form>
  );
}

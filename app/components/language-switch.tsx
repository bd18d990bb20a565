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
        aria-label={t("lang.label")}
        lang={next}
        data-testid="language-switch"
      >
        {t("lang.switch")}
      </button>
    </Form>
  );
}

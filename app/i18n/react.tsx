import { useRouteLoaderData } from "@remix-run/react";
import { DEFAULT_LOCALE, isLocale, makeTranslator, translateLoose, type Locale, type Translator } from "./index";
import { parseMsg } from "~/lib/validation";

export function useLocale(): Locale {
  const data = useRouteLoaderData<{ locale?: string }>("root");
  return isLocale(data?.locale) ? data.locale : DEFAULT_LOCALE;
}

export function useT(): Translator {
  return makeTranslator(useLocale());
}

/** Translates an encoded validation message (`key?param=value`). */
export function useErrorText(): (message: string | undefined) => string | undefined {
  const locale = useLocale();
  return (message) => {
    if (!message) return undefined;
    const { key, params } = parseMsg(message);
    return translateLoose(locale, key, params);
  };
}

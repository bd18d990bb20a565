import type { Locale } from "~/i18n";

/** Rubric texts are Chinese with optional English; English readers get Chinese where none was written. */
export function pickText(
  text: { zh: string; en?: string } | null | undefined,
  locale: Locale,
): string {
  if (!text) return "";
  return locale === "en" && text.en ? text.en : text.zh;
}

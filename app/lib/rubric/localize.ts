import type { Locale } from "~/i18n";

/** Rubric texts are Chinese with optional English; English readers get Chinese where none was written. */
export function pickText(
  text: { zh: string; en?: string } | null | undefined,
  locale: Locale,
): string {
  if (!text) return "";
  return locale === "en" && text.en ? text.en : text.zh;
}

function isLocalizedText(value: unknown): value is { zh: string; en?: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return typeof (value as { zh?: unknown }).zh === "string" && keys.every((k) => k === "zh" || k === "en");
}

/**
 * A copy of any rubric-shaped value with every `{ zh, en }` text reduced to the reader's language
 * (kept as `{ zh: text }`, which `pickText`/`textOf` show in either locale): what a page sends
 * to the browser, half the text of the stored rubric (decision 012).
 */
export function localizeDeep<T>(value: T, locale: Locale): T {
  if (Array.isArray(value)) return value.map((v: unknown) => localizeDeep(v, locale)) as T;
  if (isLocalizedText(value)) return { zh: pickText(value, locale) } as T;
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = localizeDeep(v, locale);
  return out as T;
}

/**
 * A copy with every English text left out: what decides whether two versions of a shipped rubric
 * grade the same (a translation may be added to a published version; anything else may not).
 */
export function withoutEnglish<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => withoutEnglish(v)) as T;
  if (isLocalizedText(value)) return { zh: value.zh } as T;
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = withoutEnglish(v);
  return out as T;
}

import type { Locale } from "~/i18n";

/**
 * Dates are shown in China Standard Time whatever the server's or browser's zone, so the server
 * render and the hydrated page print the same text.
 */
const TIME_ZONE = "Asia/Shanghai";

// One formatter per locale and style: building an Intl.DateTimeFormat costs far more than
// formatting with it, and a list page formats dozens of dates per render (decision 029).
const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

function formatterOf(
  cache: Map<Locale, Intl.DateTimeFormat>,
  locale: Locale,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  let format = cache.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: TIME_ZONE, ...options });
    cache.set(locale, format);
  }
  return format;
}

export function formatDateTime(value: string | Date, locale: Locale): string {
  return formatterOf(dateTimeFormats, locale, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(typeof value === "string" ? new Date(value) : value);
}

export function formatDate(value: string | Date, locale: Locale): string {
  return formatterOf(dateFormats, locale, { year: "numeric", month: "2-digit", day: "2-digit" }).format(
    typeof value === "string" ? new Date(value) : value,
  );
}

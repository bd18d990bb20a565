import { createCookie } from "@remix-run/node";
import { pickLocale, type Locale } from "./i18n";

export const localeCookie = createCookie("sg_lang", {
  path: "/",
  sameSite: "lax",
  httpOnly: false,
  maxAge: 365 * 24 * 60 * 60,
});

export async function getLocale(request: Request): Promise<Locale> {
  const value: unknown = await localeCookie.parse(request.headers.get("Cookie"));
  return pickLocale(typeof value === "string" ? value : null);
}

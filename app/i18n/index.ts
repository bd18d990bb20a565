import { common } from "./messages/common";
import { auth } from "./messages/auth";
import { admin } from "./messages/admin";
import { enterprise } from "./messages/enterprise";
import { errors } from "./messages/errors";
import { assessment } from "./messages/assessment";
import { evidence } from "./messages/evidence";
import { selfReport } from "./messages/self-report";
import { rubric } from "./messages/rubric";
import { certificate } from "./messages/certificate";
import { workflow } from "./messages/workflow";
import { credit } from "./messages/credit";
import { creditPublic } from "./messages/credit-public";
import { email } from "./messages/email";
import { dashboard } from "./messages/dashboard";
import { review } from "./messages/review";
import { reviewSheet } from "./messages/review-sheet";
import { security } from "./messages/security";
import { platform } from "./messages/platform";
import { districts } from "./messages/districts";
import { rubricPublish } from "./messages/rubric-publish";
import { revocation } from "./messages/revocation";
import { yearly } from "./messages/yearly";
import { todo } from "./messages/todo";
import { confirm } from "./messages/confirm";
import { links } from "./messages/links";
import { labels } from "./messages/labels";
import { reviewChecks } from "./messages/review-checks";
import { panel } from "./messages/panel";
import { renewal } from "./messages/renewal";
import { wizardParts } from "./messages/wizard-parts";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";

/**
 * Each namespace file exports `{ "zh-CN": {...}, en: {...} }`; `en` is typed against the
 * Chinese keys, so a missing translation is a compile error rather than a blank label.
 */
const catalogs = [common, auth, admin, enterprise, errors, assessment, evidence, selfReport, rubric, workflow, certificate, credit, creditPublic, email, dashboard, review, security, platform, districts, rubricPublish, revocation, yearly, todo, confirm, links, labels, reviewChecks, panel, reviewSheet, renewal, wizardParts] as const;

type Union<T> = T extends readonly (infer U)[] ? U : never;
type Catalog = Union<typeof catalogs>;
type KeysOf<C> = C extends { "zh-CN": infer Z } ? keyof Z : never;
export type MessageKey = KeysOf<Catalog> & string;
export type MessageParams = Record<string, string | number>;

const messages: Record<Locale, Record<string, string>> = { "zh-CN": {}, en: {} };
for (const catalog of catalogs) {
  Object.assign(messages["zh-CN"], catalog["zh-CN"]);
  Object.assign(messages.en, catalog.en);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === "string" && value in messages["zh-CN"];
}

/** Replaces `{name}` placeholders. Unknown keys render as the key so a gap is visible, never blank. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = messages[locale][key] ?? messages[DEFAULT_LOCALE][key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Translates a key that arrived as data (e.g. from an action's JSON); falls back to a generic error. */
export function translateLoose(locale: Locale, key: string, params?: MessageParams): string {
  return isMessageKey(key) ? translate(locale, key, params) : translate(locale, "errors.generic");
}

/** Chinese unless the user chose English with the switch (the product's users work in Chinese). */
export function pickLocale(cookieValue: string | null | undefined): Locale {
  return isLocale(cookieValue) ? cookieValue : DEFAULT_LOCALE;
}

export type Translator = (key: MessageKey, params?: MessageParams) => string;
export function makeTranslator(locale: Locale): Translator {
  return (key, params) => translate(locale, key, params);
}

/**
 * Words for audit events, their details and email templates (issue 17: no "certificate.issued",
 * no "sessionsEnded: 1" on a page). Internal references (ids, hashes, versions) are not details a
 * person reads: they are left out. Pure; unit-tested in tests/unit/labels.test.ts.
 */
import { isMessageKey, type Translator } from "~/i18n";

/** Detail keys that are internal references, never shown. */
const HIDDEN_DETAIL = /(^|[a-z])(Id|Ids|Hash|Version)$|^(id|version|revision|parentId|contentHash|fileId|registrationId|membershipId|enterpriseId|applicationId)$/;

export function auditActionLabel(t: Translator, action: string): string {
  for (const key of [`audit.${action}`, `auditAction.${action}`]) if (isMessageKey(key)) return t(key);
  const credit = /^credit\.([a-z_]+)$/.exec(action);
  if (credit?.[1]) {
    const event = `credit.event.${credit[1].toUpperCase()}`;
    if (isMessageKey(event)) return t("auditAction.credit.event", { event: t(event) });
  }
  return t("labels.otherAction");
}

function detailValue(t: Translator, key: string, value: unknown): string {
  if (typeof value === "boolean") return t(value ? "labels.yes" : "labels.no");
  if (Array.isArray(value)) return value.map((v) => detailValue(t, key, v)).join("、");
  if (typeof value === "string") {
    const role = `role.${value}`;
    if ((key === "role" || key === "from" || key === "to") && isMessageKey(role)) return t(role);
    return value;
  }
  if (typeof value === "number") return String(value);
  if (typeof value === "object" && value !== null)
    return Object.entries(value)
      .filter(([k]) => !HIDDEN_DETAIL.test(k))
      .map(([k, v]) => [detailLabel(t, k), detailValue(t, k, v)].filter(Boolean).join(" "))
      .join("；");
  return "";
}

function detailLabel(t: Translator, key: string): string | null {
  for (const k of [`auditDetail.${key}`, `enterprise.${key}`]) if (isMessageKey(k)) return t(k);
  return null;
}

/** "结束的会话：1；理由：…" — labelled details, internal references left out. */
export function auditDetailsText(t: Translator, details: Record<string, unknown> | null | undefined): string {
  return Object.entries(details ?? {})
    .filter(([k, v]) => v !== null && v !== undefined && v !== "" && !HIDDEN_DETAIL.test(k))
    .map(([k, v]) => {
      const label = detailLabel(t, k);
      // A key without words shows its value alone: never the key itself.
      return label ? `${label}：${detailValue(t, k, v)}` : detailValue(t, k, v);
    })
    .join("；");
}

export function emailTemplateLabel(t: Translator, template: string): string {
  const key = `emailTemplate.${template}`;
  return isMessageKey(key) ? t(key) : t("labels.otherAction");
}

/** A workflow guard in words ("allowedAtLowerLevel" → "按较低等级"). */
export function guardLabel(t: Translator, guard: string): string {
  const key = `guard.${guard}`;
  return isMessageKey(key) ? t(key) : t("labels.otherAction");
}

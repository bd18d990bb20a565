/**
 * Secrets in queued mail (links carrying an invitation or reset token) reach only the recipient's
 * mailbox. Everything that shows or logs a message — the outbox admin, the capture page, the
 * template previews — goes through these functions first (decision 016).
 */
import { escapeHtml } from "./layout";
import { templateOf } from "./index";

/** What a redacted secret reads as, in any language. */
export const REDACTED = "••••••";

function stringField(data: unknown, field: string): string | null {
  if (typeof data !== "object" || data === null) return null;
  const value = (data as Record<string, unknown>)[field];
  return typeof value === "string" && value.length > 0 ? value : null;
}

/**
 * The secret strings of a message: each secret field's value — for a URL, its token (the last path
 * segment), so a redacted body still shows where the link goes.
 */
export function secretValues(template: string, data: unknown): string[] {
  const fields = templateOf(template)?.secrets ?? [];
  const out = new Set<string>();
  for (const field of fields) {
    const value = stringField(data, field);
    if (!value) continue;
    let token = value;
    try {
      const url = new URL(value);
      const last = url.pathname.split("/").pop() ?? "";
      // A link whose path ends in a short word still counts as secret as a whole.
      token = last.length >= 8 && !url.search && !url.hash ? last : value;
    } catch {
      // not a URL: the value itself is the secret
    }
    out.add(token);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** A copy of the message data with every secret field replaced by REDACTED (for display). */
export function redactEmailData(template: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields = templateOf(template)?.secrets ?? [];
  const copy: Record<string, unknown> = { ...data };
  for (const field of fields) if (field in copy) copy[field] = REDACTED;
  return copy;
}

/** Replaces each secret (raw, HTML-escaped and URL-encoded) in a rendered text or HTML body. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, escapeHtml(secret), encodeURIComponent(secret)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/**
 * The one function that turns a user-given redirect target (login `redirectTo`, the language
 * switch, evidence delete …) into a Location value. Only same-origin absolute paths pass; anything
 * else — other hosts, scheme-relative `//host`, backslashes (`/\host`), control characters
 * (TAB/CR/LF, which browsers strip before resolving), their percent-encoded forms — gives the
 * fallback. The result is re-serialized by the URL parser, so it is plain ASCII and safe in a header.
 */

const BASE = "http://redirect-target.invalid";
const MAX_LENGTH = 2048;
// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Decodes percent-escapes of ASCII bytes only (%09, %2F, %5C …); other bytes stay encoded. */
function decodeAscii(value: string): string {
  return value.replace(/%([0-7][0-9a-f])/gi, (_whole, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The value and its decoded forms: nested encodings (%2509 → %09 → TAB) are unwrapped a few times. */
function decodedForms(value: string): string[] {
  const forms = [value];
  let current = value;
  for (let i = 0; i < 4; i += 1) {
    const next = decodeAscii(current);
    if (next === current) break;
    forms.push(next);
    current = next;
  }
  return forms;
}

function isLocalPath(value: string): boolean {
  return value.startsWith("/") && !value.startsWith("//") && !value.includes("\\") && !CONTROL.test(value);
}

export function safeRedirectTarget(to: unknown, fallback: string): string {
  if (typeof to !== "string" || to.length === 0 || to.length > MAX_LENGTH) return fallback;
  const forms = decodedForms(to);
  if (!forms.every(isLocalPath)) return fallback;
  let url: URL;
  try {
    url = new URL(to, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const out = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can collapse to `//host` (`/.//evil`): check the serialized form again.
  return isLocalPath(out) && new URL(out, BASE).origin === BASE ? out : fallback;
}

/**
 * Same-origin check for state-changing requests (CSRF defence in depth next to SameSite=Lax):
 * the Origin header, else the Referer's origin, must be the app's public origin (APP_URL) or the
 * origin the request was addressed to (its Host). `Origin: null` is refused. A request with
 * neither header is not from a browser page (browsers send Origin on every POST) and passes.
 */

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isStateChanging(method: string): boolean {
  return STATE_CHANGING_METHODS.has(method.toUpperCase());
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

export function sameOriginRequest(input: {
  origin: string | null | undefined;
  referer: string | null | undefined;
  /** Host header of the request (host[:port]). */
  host: string | null | undefined;
  /** Scheme the request arrived with ("http" or "https"). */
  protocol: string;
  appUrl: string;
}): boolean {
  const claimed = input.origin ?? (input.referer ? (originOf(input.referer) ?? "null") : undefined);
  if (claimed === undefined || claimed === "") return true;
  const origin = originOf(claimed);
  if (!origin) return false;
  const allowed = new Set<string>();
  const app = originOf(input.appUrl);
  if (app) allowed.add(app);
  if (input.host) {
    const own = originOf(`${input.protocol}://${input.host}`);
    if (own) allowed.add(own);
  }
  return allowed.has(origin);
}

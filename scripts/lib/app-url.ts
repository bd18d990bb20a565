/**
 * APP_URL at start-up (issue 17): QR codes, email links and the same-origin check use it, so a
 * missing or stale value silently sends people to the wrong port. Unset → the address the server
 * really listens on, with a warning; set but pointing at this machine on another port → a warning.
 * A public name (https://grading.example.gov.cn) is left alone: a reverse proxy may front the port.
 */

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"]);

export type AppUrlCheck = { appUrl: string; warning: string | null };

/** The URL people should use for a server bound to host:port (a wildcard bind is shown as localhost). */
export function listeningUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" || host === "127.0.0.1" ? "localhost" : host;
  return `http://${shown}:${port}`;
}

export function checkAppUrl(input: { appUrl: string | undefined; host: string; port: number }): AppUrlCheck {
  const actual = listeningUrl(input.host, input.port);
  const raw = input.appUrl?.trim();
  if (!raw) {
    return {
      appUrl: actual,
      warning: `APP_URL is not set: QR codes and email links will use ${actual}. Set APP_URL to the address people open (e.g. https://grading.example.gov.cn).`,
    };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { appUrl: raw, warning: `APP_URL "${raw}" is not a URL: QR codes and email links cannot work.` };
  }
  const appUrl = raw.replace(/\/+$/, "");
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const sameMachine = LOOPBACK.has(url.hostname) || url.hostname === input.host;
  if (sameMachine && port !== input.port) {
    return {
      appUrl,
      warning: `APP_URL is ${appUrl} but the server listens on port ${input.port}: QR codes and email links will point to the wrong port. Set APP_URL=${actual} (or the public address).`,
    };
  }
  return { appUrl, warning: null };
}

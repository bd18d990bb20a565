/**
 * Express middleware every request passes before Remix: a per-request CSP nonce (res.locals.cspNonce,
 * handed to Remix through the load context) and the same-origin check for state-changing requests
 * (POST/PUT/PATCH/DELETE on page and resource routes alike). A refusal is 403 with a translated
 * message: an HTML page for document requests, JSON for fetch/data requests.
 */
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { translate } from "../../app/i18n";
import { isStateChanging, sameOriginRequest } from "../../app/lib/http/request-origin";
import { getLocale } from "../../app/locale.server";

export function cspNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.cspNonce = randomBytes(16).toString("base64");
  next();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wantsJson(req: Request): boolean {
  if ("_data" in req.query) return true;
  const accept = req.get("accept") ?? "";
  return !accept.includes("text/html");
}

export function originGuard(appUrl: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!isStateChanging(req.method)) return next();
    const ok = sameOriginRequest({
      origin: req.get("origin"),
      referer: req.get("referer"),
      host: req.get("host"),
      protocol: req.protocol,
      appUrl,
    });
    if (ok) return next();
    void getLocale(new globalThis.Request("http://local/", { headers: { Cookie: req.get("cookie") ?? "" } })).then((locale) => {
      const message = translate(locale, "security.crossOrigin");
      res.status(403).set("Cache-Control", "no-store");
      if (wantsJson(req)) {
        res.json({ ok: false, error: message });
        return;
      }
      const title = translate(locale, "security.refused.title");
      res
        .type("html")
        .send(
          `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
            `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">${escapeHtml(translate(locale, "security.back"))}</a></p></body></html>`,
        );
    }, next);
  };
}

/**
 * Issue 15: the Content-Security-Policy of the real server allows scripts only from the app itself
 * and with a per-request nonce — no 'unsafe-inline' — and every inline script Remix writes into a
 * page carries that request's nonce (else hydration would be blocked in the browser).
 */
import { describe, expect, inject, it } from "vitest";

const baseUrl = inject("baseUrl");

async function page(path: string): Promise<{ csp: string; html: string }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { Accept: "text/html" } });
  expect(res.status).toBe(200);
  return { csp: res.headers.get("content-security-policy") ?? "", html: await res.text() };
}

function directive(csp: string, name: string): string[] {
  const found = csp.split(";").map((d) => d.trim().split(/\s+/)).find((parts) => parts[0] === name);
  return found?.slice(1) ?? [];
}

describe("content security policy", () => {
  it("allows scripts only from the app or with this request's nonce, and every inline script has it", async () => {
    const nonces: string[] = [];
    for (const path of ["/t/chengdu/login", "/verify", "/credit-registry"]) {
      const { csp, html } = await page(path);
      const scripts = directive(csp, "script-src");
      expect(scripts).toContain("'self'");
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts.join(" ")).not.toMatch(/unsafe-eval|\*|https?:/);
      const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice(7, -1) ?? "";
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{20,}={0,2}$/);
      nonces.push(nonce);
      const tags = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) {
        if (/\bsrc=/.test(tag)) continue;
        expect(tag, `${path}: ${tag}`).toContain(`nonce="${nonce}"`);
      }
      expect(directive(csp, "object-src")).toEqual(["'none'"]);
    }
    // A fresh nonce per request.
    expect(new Set(nonces).size).toBe(nonces.length);
  });
});

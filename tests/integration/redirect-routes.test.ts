/**
 * Issue 15, finding 1: the routes that redirect to a user-given target (login GET and POST, the
 * language switch) send every hostile target to the fallback — TAB/CR/LF (raw and encoded),
 * backslashes, scheme-relative URLs — and never answer 500. The function itself has a property
 * test (tests/unit/redirect-target.test.ts); this proves the routes use it.
 */
import { describe, expect, it } from "vitest";
import { action as loginAction, loader as loginLoader } from "~/routes/t.$slug.login";
import { action as setLocaleAction } from "~/routes/set-locale";
import { cookieFor, createMember, createTenant, TEST_PASSWORD } from "../factories";
import { callAction, callLoader } from "../route-helpers";

const HOSTILE = [
  "/\t/evil.example/phish",
  "/%09/evil.example/phish",
  "/\r\n/evil.example",
  "/%0d%0a/evil.example",
  "/\\evil.example",
  "//evil.example",
  "https://evil.example/",
];

describe("redirect targets on the routes", () => {
  it("login (GET when signed in, POST) and set-locale send every hostile target to the fallback", async () => {
    const tenant = await createTenant();
    const member = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(member.user._id);
    const home = `/t/${tenant.slug}`;
    for (const target of HOSTILE) {
      const get = await callLoader(loginLoader, `/t/${tenant.slug}/login?redirectTo=${encodeURIComponent(target)}`, { slug: tenant.slug }, { cookie });
      expect([get.status, get.location], `GET ${JSON.stringify(target)}`).toEqual([302, home]);

      // A fresh account and address per sign-in: the login throttle counts attempts.
      const signer = await createMember(tenant._id, "regulator");
      const post = await callAction(loginAction, `/t/${tenant.slug}/login`, { slug: tenant.slug }, {
        form: { email: signer.user.email, password: TEST_PASSWORD, redirectTo: target },
        headers: { "x-sg-client-ip": `10.9.${HOSTILE.indexOf(target)}.1` },
      });
      expect([post.status, post.location], `POST ${JSON.stringify(target)}`).toEqual([302, home]);

      const locale = await callAction(setLocaleAction, "/set-locale", {}, { form: { locale: "en", redirectTo: target } });
      expect([locale.status, locale.location], `set-locale ${JSON.stringify(target)}`).toEqual([302, "/"]);
    }
    // A same-origin path still works.
    const ok = await callAction(setLocaleAction, "/set-locale", {}, { form: { locale: "en", redirectTo: `${home}/applications?page=2` } });
    expect(ok.location).toBe(`${home}/applications?page=2`);
  });
});

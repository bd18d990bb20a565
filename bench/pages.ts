/**
 * Every key page as its user, against the running production app, with the minimal Remix route
 * measured in the same run as the baseline. Targets (issue 13): authenticated pages ≥ 0.5 of the
 * baseline's throughput and p95 < 300 ms; public pages ≥ 0.75; the credit registry's name search
 * p95 < 100 ms; the assessment, review and application pages ≤ 120 KB of HTML (decision 028;
 * tests/integration/page-weight.test.ts checks the same pages without the load).
 */
import type { City, Login } from "./city/seed";
import { loginCookie, measureHttp, type HttpMeasure } from "./lib/http";

export type PageSpec = {
  name: string;
  path: string;
  /** Who requests it; none = the public. */
  as?: keyof City["logins"];
  /** Further paths requested in turn (e.g. different search terms). */
  paths?: string[];
  maxP95Ms?: number;
  maxHtmlBytes?: number;
};

export type PageResult = PageSpec & HttpMeasure & { ratio: number; checks: string[]; pass: boolean };

const KB = 1024;

export function cityPages(city: City): PageSpec[] {
  const t = `/t/${city.slug}`;
  const registry = city.registryQueries.map((q) => `/credit-registry?q=${encodeURIComponent(q)}`);
  return [
    { name: "Tenant home (enterprise admin)", path: t, as: "enterpriseAdmin" },
    { name: "Tenant home (regulator)", path: t, as: "regulator" },
    { name: "Applications list (regulator)", path: `${t}/applications`, as: "regulator" },
    { name: "One application (regulator)", path: `${t}/applications/${city.reviewApplicationId}`, as: "regulator", maxHtmlBytes: 120 * KB },
    { name: "Assessment element page (enterprise admin)", path: `${t}/assessments/${city.draftApplicationId}/${city.draftElementId}`, as: "enterpriseAdmin", maxHtmlBytes: 120 * KB },
    { name: "Assessment summary (enterprise admin)", path: `${t}/assessments/${city.draftApplicationId}/summary`, as: "enterpriseAdmin", maxHtmlBytes: 120 * KB },
    { name: "Review page (reviewer)", path: `${t}/reviews/${city.reviewApplicationId}`, as: "reviewer", maxHtmlBytes: 120 * KB },
    { name: "Enterprise list (regulator)", path: `${t}/enterprises`, as: "regulator" },
    { name: "Certificate list (regulator)", path: `${t}/certificates`, as: "regulator" },
    { name: "Credit list (regulator)", path: `${t}/credit`, as: "regulator" },
    { name: "Dashboard (regulator)", path: `${t}/dashboard`, as: "regulator" },
    { name: "Certificate registry (public)", path: `${t}/registry` },
    { name: "Credit registry, name search (public)", path: registry[0] ?? "/credit-registry", paths: registry, maxP95Ms: 100 },
    { name: "Verify page (public)", path: `/verify/${city.verifyCode}` },
    { name: "Public notices (public)", path: `${t}/notices` },
  ];
}

export async function measurePages(input: {
  baseUrl: string;
  city: City;
  pages: PageSpec[];
  baselineRps: number;
  connections: number;
  durationSeconds: number;
  log: (line: string) => void;
}): Promise<PageResult[]> {
  const cookies = new Map<string, string>();
  const cookieOf = async (login: Login) => {
    const known = cookies.get(login.email);
    if (known) return known;
    const cookie = await loginCookie(input.baseUrl, input.city.slug, login.email, login.password);
    cookies.set(login.email, cookie);
    return cookie;
  };
  const results: PageResult[] = [];
  for (const page of input.pages) {
    const headers = page.as ? { cookie: await cookieOf(input.city.logins[page.as]) } : undefined;
    const m = await measureHttp(`${input.baseUrl}${page.path}`, {
      connections: input.connections,
      durationSeconds: input.durationSeconds,
      headers,
      rotateClientIp: !page.as,
      paths: page.paths,
    });
    const ratio = m.rps / input.baselineRps;
    const checks: string[] = [];
    const fails: boolean[] = [];
    const check = (ok: boolean, label: string) => {
      checks.push(`${ok ? "PASS" : "FAIL"} ${label}`);
      fails.push(!ok);
    };
    if (page.as) {
      check(ratio >= 0.5, "≥ 0.5× baseline");
      check(m.p95 < 300, "p95 < 300 ms");
    } else {
      check(ratio >= 0.75, "≥ 0.75× baseline");
    }
    if (page.maxP95Ms !== undefined) check(m.p95 < page.maxP95Ms, `p95 < ${page.maxP95Ms} ms`);
    if (page.maxHtmlBytes !== undefined) check(m.htmlBytes <= page.maxHtmlBytes, `HTML ≤ ${page.maxHtmlBytes / KB} KB`);
    const result: PageResult = { ...page, ...m, ratio, checks, pass: !fails.some(Boolean) };
    input.log(`  ${page.name}: ${m.rps.toFixed(0)} req/s (${ratio.toFixed(2)}×), p50 ${m.p50.toFixed(0)} ms, p95 ${m.p95.toFixed(0)} ms, ${(m.htmlBytes / KB).toFixed(1)} KB — ${result.pass ? "PASS" : "FAIL"}`);
    results.push(result);
  }
  return results;
}

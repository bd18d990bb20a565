/**
 * The patched @remix-run/router (patches/, decision 035) caches the flattened, ranked branches of
 * a routes array and each compiled path pattern. Matching must stay what it was: params per call,
 * no state shared between matches through the cached RegExps, a new routes array matched afresh.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { matchPath, matchRoutes, type AgnosticRouteObject as RouteObject } from "@remix-run/router";
import { describe, expect, it } from "vitest";

const routes: RouteObject[] = [
  {
    id: "root",
    path: "/",
    children: [
      { id: "home", index: true },
      { id: "app", path: "t/:slug/applications/:id" },
      { id: "list", path: "t/:slug/applications" },
      { id: "splat", path: "files/*" },
      { id: "optional", path: "o/:lang?/page" },
    ],
  },
];

describe("patched route matching", () => {
  it("is installed by npm's postinstall (patch-package)", () => {
    const file = createRequire(import.meta.url).resolve("@remix-run/router");
    expect(readFileSync(file, "utf8")).toContain("SafeGrade patch (decision 035)");
  });

  it("matches with each call's own params, repeatedly", () => {
    for (let i = 0; i < 3; i++) {
      const a = matchRoutes(routes, `/t/city-${i}/applications/abc${i}`);
      expect(a?.map((m) => m.route.id)).toEqual(["root", "app"]);
      expect(a?.at(-1)?.params).toEqual({ slug: `city-${i}`, id: `abc${i}` });
      expect(matchRoutes(routes, `/T/City/Applications`)?.at(-1)?.route.id).toBe("list");
      expect(matchRoutes(routes, "/files/a/b.pdf")?.at(-1)?.params["*"]).toBe("a/b.pdf");
      expect(matchRoutes(routes, "/o/page")?.at(-1)?.params).toEqual({ lang: undefined });
      expect(matchRoutes(routes, "/o/en/page")?.at(-1)?.params).toEqual({ lang: "en" });
      expect(matchRoutes(routes, "/nowhere/at/all")).toBeNull();
      expect(matchPath({ path: "/v/:code", caseSensitive: true, end: true }, "/V/x")).toBeNull();
      expect(matchPath({ path: "/v/:code", caseSensitive: false, end: true }, "/V/x")?.params).toEqual({ code: "x" });
      expect(matchPath({ path: "/v", end: false }, "/v/x")?.pathname).toBe("/v");
    }
  });

  it("matches a different routes array by its own routes", () => {
    matchRoutes(routes, "/t/a/applications/b");
    const other: RouteObject[] = [{ id: "other", path: "/t/:slug/applications/:id/summary" }];
    expect(matchRoutes(other, "/t/a/applications/b")).toBeNull();
    expect(matchRoutes(other, "/t/a/applications/b/summary")?.[0]?.route.id).toBe("other");
  });
});

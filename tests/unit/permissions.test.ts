import { describe, expect, it } from "vitest";
import { ROLES, type Role } from "~/lib/domain";
import { visibleNav } from "~/lib/navigation";
import { PERMISSIONS, ROLE_PERMISSIONS, can, permissionsFor, type Permission } from "~/lib/permissions";

/**
 * The expected matrix, written out independently of ROLE_PERMISSIONS: every role × permission.
 * A change to the table must be a deliberate change here too.
 */
const E = "enterprise_admin", M = "enterprise_member", R = "reviewer", G = "regulator", A = "tenant_admin", O = "organizer", B = "review_body_admin";
const MATRIX: Record<Permission, Role[]> = {
  "read:enterprise:own": [E, M],
  "update:enterprise:own": [E],
  "read:enterprise:assigned": [R],
  "read:enterprise:any": [G, A, O],
  "create:enterprise:any": [G, A],
  "update:enterprise:any": [G, A],
  "read:registration:any": [G, A],
  "approve:registration:any": [G, A],
  "invite:user:own": [E],
  "invite:user:any": [A],
  "read:user:any": [A],
  "update:user:any": [A],
  "read:audit:any": [A],
  "read:assessment:own": [E, M],
  "update:assessment:own": [E, M],
  "submit:assessment:own": [E],
  "read:assessment:assigned": [R],
  "review:assessment:assigned": [R],
  "read:assessment:any": [G, A, O],
  "accept:application:any": [G, O],
  "assign:application:any": [G],
  "assign:panel:own": [B],
  "approve:application:any": [G],
  "certify:application:any": [G],
  "check:report:any": [O],
  "read:objection:any": [G],
  "read:rubric:any": [E, M, R, G, A, O, B],
  "manage:rubric:any": [A],
  "read:certificate:own": [E, M],
  "read:certificate:any": [G, A],
  "revoke:certificate:any": [G],
  "read:credit:own": [E, M],
  "respond:credit:own": [E],
  "read:credit:any": [G, A],
  "manage:credit:any": [G],
  "read:dashboard:any": [G, A],
  "manage:settings:any": [A],
  "read:outbox:any": [A],
  "manage:reviewbody:any": [A],
  "read:reviewbody:any": [G, A],
  "manage:expert:own": [B],
};

describe("permission table", () => {
  it("covers every declared permission in the expected matrix", () => {
    expect(Object.keys(MATRIX).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const expected = MATRIX[permission].includes(role);
      it(`${role} ${expected ? "has" : "lacks"} ${permission}`, () => {
        expect(can(permissionsFor([role]), permission)).toBe(expected);
      });
    }
  }

  it("combines roles as a union and gives platform admins everything", () => {
    const both = permissionsFor(["reviewer", "regulator"]);
    for (const p of [...ROLE_PERMISSIONS.reviewer, ...ROLE_PERMISSIONS.regulator]) expect(both).toContain(p);
    expect(permissionsFor([], true)).toEqual([...PERMISSIONS]);
    expect(permissionsFor([])).toEqual([]);
  });

  it("navigation shows only what the permissions allow", () => {
    const keys = (role: Role, enterpriseId: string | null = null) => visibleNav(permissionsFor([role]), enterpriseId).map((n) => n.key);
    expect(keys("tenant_admin")).toEqual(expect.arrayContaining(["home", "enterprises", "users", "audit"]));
    expect(keys("tenant_admin")).toContain("certificates");
    expect(keys("tenant_admin")).toEqual(expect.arrayContaining(["dashboard", "credit", "outbox"]));
    expect(keys("regulator")).toEqual(expect.arrayContaining(["dashboard", "credit"]));
    expect(keys("regulator")).not.toContain("outbox");
    expect(keys("enterprise_admin", "e1")).toContain("credit");
    expect(keys("enterprise_admin", "e1")).not.toContain("dashboard");
    expect(keys("reviewer")).not.toContain("credit");
    expect(keys("organizer")).toEqual(expect.arrayContaining(["applications", "enterprises"]));
    expect(keys("organizer")).not.toContain("credit");
    expect(keys("regulator")).toContain("certificates");
    expect(keys("reviewer")).not.toContain("certificates");
    expect(keys("enterprise_member", "abc")).toEqual(expect.arrayContaining(["home", "my-enterprise", "assessments", "certificates"]));
    expect(keys("enterprise_member", "abc")).not.toContain("enterprises");
    // An enterprise role without an enterprise gets no broken "my enterprise" link.
    expect(keys("enterprise_member", null)).not.toContain("my-enterprise");
    // Step 10: the review body admin sees its experts and panels; the regulator and admin the bodies.
    expect(keys("review_body_admin")).toEqual(expect.arrayContaining(["panels", "experts"]));
    expect(keys("review_body_admin")).not.toContain("review-bodies");
    expect(keys("tenant_admin")).toContain("review-bodies");
    expect(keys("regulator")).toContain("review-bodies");
    expect(keys("regulator")).not.toContain("panels");
    const mine = visibleNav(permissionsFor(["enterprise_admin"]), "e1").find((n) => n.key === "my-enterprise");
    expect(mine?.path).toBe("/enterprises/e1");
  });
});

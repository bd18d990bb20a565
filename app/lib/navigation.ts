import type { MessageKey } from "~/i18n";
import type { Permission } from "./permissions";

export type NavItem = {
  key: string;
  label: MessageKey;
  /** Path under /t/<slug>; `{enterpriseId}` is filled from the member's enterprise. */
  path: string;
  /** Shown when the user has any of these; empty = every member. */
  anyOf: Permission[];
};

/** The navigation table: the same permission strings the server enforces. */
export const NAV_ITEMS: NavItem[] = [
  { key: "home", label: "nav.home", path: "", anyOf: [] },
  { key: "dashboard", label: "nav.dashboard", path: "/dashboard", anyOf: ["read:dashboard:any"] },
  { key: "my-enterprise", label: "nav.myEnterprise", path: "/enterprises/{enterpriseId}", anyOf: ["read:enterprise:own"] },
  { key: "assessments", label: "nav.assessments", path: "/assessments", anyOf: ["read:assessment:own", "read:assessment:any"] },
  { key: "applications", label: "nav.applications", path: "/applications", anyOf: ["accept:application:any", "read:assessment:own"] },
  { key: "reviews", label: "nav.reviews", path: "/reviews", anyOf: ["review:assessment:assigned"] },
  { key: "conflicts", label: "nav.conflicts", path: "/conflicts", anyOf: ["review:assessment:assigned"] },
  { key: "panels", label: "nav.panels", path: "/panels", anyOf: ["assign:panel:own"] },
  { key: "experts", label: "nav.experts", path: "/experts", anyOf: ["manage:expert:own"] },
  { key: "review-bodies", label: "nav.reviewBodies", path: "/review-bodies", anyOf: ["read:reviewbody:any"] },
  { key: "enterprises", label: "nav.enterprises", path: "/enterprises", anyOf: ["read:enterprise:any"] },
  { key: "registrations", label: "nav.registrations", path: "/registrations", anyOf: ["approve:registration:any"] },
  { key: "users", label: "nav.users", path: "/admin/users", anyOf: ["invite:user:any", "invite:user:own"] },
  { key: "audit", label: "nav.audit", path: "/admin/audit", anyOf: ["read:audit:any"] },
  { key: "rubrics", label: "nav.rubrics", path: "/rubrics", anyOf: ["manage:rubric:any"] },
  { key: "certificates", label: "nav.certificates", path: "/certificates", anyOf: ["read:certificate:own", "read:certificate:any"] },
  { key: "yearly-reports", label: "nav.yearlyReports", path: "/yearly-reports", anyOf: ["read:certificate:own", "read:certificate:any"] },
  { key: "credit", label: "nav.credit", path: "/credit", anyOf: ["read:credit:own", "read:credit:any"] },
  { key: "outbox", label: "nav.outbox", path: "/admin/outbox", anyOf: ["read:outbox:any"] },
];

export function visibleNav(
  permissions: readonly Permission[],
  enterpriseId: string | null,
): Array<{ key: string; label: MessageKey; path: string }> {
  return NAV_ITEMS.filter((item) => item.anyOf.length === 0 || item.anyOf.some((p) => permissions.includes(p)))
    .filter((item) => !item.path.includes("{enterpriseId}") || enterpriseId)
    .map((item) => ({ key: item.key, label: item.label, path: item.path.replace("{enterpriseId}", enterpriseId ?? "") }));
}

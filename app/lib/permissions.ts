/**
 * The one permission table. Permissions are `action:entity:scope` strings:
 *   scope `own`      — records of the user's own enterprise,
 *   scope `assigned` — records the user was assigned to (reviewers),
 *   scope `any`      — every record of the tenant.
 * Loaders and actions call `requirePermission`; the UI calls `can` with the same strings.
 */
import type { Role } from "./domain";

export const PERMISSIONS = [
  "read:enterprise:own",
  "update:enterprise:own",
  "read:enterprise:assigned",
  "read:enterprise:any",
  "create:enterprise:any",
  "update:enterprise:any",
  "read:registration:any",
  "approve:registration:any",
  "invite:user:own",
  "invite:user:any",
  "read:user:any",
  "update:user:any",
  "read:audit:any",
  "read:assessment:own",
  "update:assessment:own",
  "submit:assessment:own",
  "read:assessment:assigned",
  "review:assessment:assigned",
  "read:assessment:any",
  "accept:application:any",
  "assign:application:any",
  "assign:panel:own",
  "approve:application:any",
  "certify:application:any",
  "check:report:any",
  "read:objection:any",
  "read:rubric:any",
  "manage:rubric:any",
  "read:certificate:own",
  "read:certificate:any",
  "revoke:certificate:any",
  "read:credit:own",
  "respond:credit:own",
  "read:credit:any",
  "manage:credit:any",
  "read:dashboard:any",
  "manage:settings:any",
  "read:outbox:any",
  "manage:reviewbody:any",
  "read:reviewbody:any",
  "manage:expert:own",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  enterprise_admin: [
    "read:enterprise:own",
    "update:enterprise:own",
    "invite:user:own",
    "read:assessment:own",
    "update:assessment:own",
    "submit:assessment:own",
    "read:rubric:any",
    "read:certificate:own",
    "read:credit:own",
    "respond:credit:own",
  ],
  enterprise_member: [
    "read:enterprise:own",
    "read:assessment:own",
    "update:assessment:own",
    "read:rubric:any",
    "read:certificate:own",
    "read:credit:own",
  ],
  reviewer: [
    "read:enterprise:assigned",
    "read:assessment:assigned",
    "review:assessment:assigned",
    "read:rubric:any",
  ],
  regulator: [
    "read:enterprise:any",
    "create:enterprise:any",
    "update:enterprise:any",
    "read:registration:any",
    "approve:registration:any",
    "read:assessment:any",
    "accept:application:any",
    "assign:application:any",
    "approve:application:any",
    "certify:application:any",
    "read:objection:any",
    "read:rubric:any",
    "read:certificate:any",
    "revoke:certificate:any",
    "read:credit:any",
    "manage:credit:any",
    "read:dashboard:any",
    "read:reviewbody:any",
  ],
  tenant_admin: [
    "read:enterprise:any",
    "create:enterprise:any",
    "update:enterprise:any",
    "read:registration:any",
    "approve:registration:any",
    "invite:user:any",
    "read:user:any",
    "update:user:any",
    "read:audit:any",
    "read:assessment:any",
    "read:rubric:any",
    "manage:rubric:any",
    "read:certificate:any",
    "read:credit:any",
    "read:dashboard:any",
    "manage:settings:any",
    "read:outbox:any",
    "manage:reviewbody:any",
    "read:reviewbody:any",
  ],
  // The organizing unit (组织单位): acceptance and the report check, nothing of the authority's own.
  organizer: [
    "read:enterprise:any",
    "read:assessment:any",
    "accept:application:any",
    "check:report:any",
    "read:rubric:any",
  ],
  /** Scope `own`: the review body the user administers (ReviewBody.adminUserIds). */
  review_body_admin: ["manage:expert:own", "assign:panel:own", "read:rubric:any"],
};

export function permissionsFor(roles: readonly Role[], platformAdmin = false): Permission[] {
  if (platformAdmin) return [...PERMISSIONS];
  const set = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role]) set.add(p);
  return PERMISSIONS.filter((p) => set.has(p));
}

export function can(permissions: readonly Permission[], wanted: Permission): boolean {
  return permissions.includes(wanted);
}

export function canAny(permissions: readonly Permission[], ...wanted: Permission[]): boolean {
  return wanted.some((p) => permissions.includes(p));
}

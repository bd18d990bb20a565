/** Test data builders for integration tests (real database, no mocks). */
import { randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { Enterprise } from "../models/enterprise";
import { Expert } from "../models/expert";
import { ReviewBody } from "../models/review-body";
import { Membership } from "../models/membership";
import { Tenant } from "../models/tenant";
import { User } from "../models/user";
import { sessionCookieFor } from "~/auth.server";
import { applyApplicationEvent, type GradingMember } from "~/data/grading.server";
import { permissionsFor } from "~/lib/permissions";
import { hashPassword } from "~/data/passwords.server";
import { createSession } from "~/data/sessions.server";
import { computeCheckCharacter, CREDIT_CODE_ALPHABET } from "~/lib/credit-code";
import type { IndustryKey, Role, SizeClass } from "~/lib/domain";

export const TEST_PASSWORD = "Correct-horse-42";
let cachedHash: Promise<string> | undefined;
const passwordHash = () => (cachedHash ??= hashPassword(TEST_PASSWORD));

const unique = () => randomBytes(4).toString("hex");

/**
 * A random code that passes the GB 32100 checksum, registered in Chengdu (characters 3–8 =
 * 510100), so the registration's region warning (Step 12) never fires by chance.
 */
export function randomCreditCode(): string {
  const body = Array.from({ length: 17 }, (_, i) => {
    if (i === 0) return "9";
    if (i === 1) return "1";
    if (i >= 2 && i <= 7) return "510100".charAt(i - 2);
    const bytes = randomBytes(1)[0] ?? 0;
    return CREDIT_CODE_ALPHABET.charAt(bytes % 31);
  }).join("");
  return body + computeCheckCharacter(body);
}

export async function createTenant(overrides: { slug?: string; zh?: string } = {}) {
  const slug = overrides.slug ?? `t-${unique()}`;
  return Tenant.create({
    slug,
    name: { zh: overrides.zh ?? `测试市应急管理局${slug}`, en: `Test Bureau ${slug}` },
    authority: { zh: overrides.zh ?? `测试市应急管理局${slug}`, en: `Test Bureau ${slug}` },
    regionCode: "510100",
    districts: [
      { code: "510104", name: "锦江区" },
      { code: "510105", name: "青羊区" },
    ],
  });
}

export async function createEnterprise(
  tenantId: Types.ObjectId,
  overrides: Partial<{ name: string; creditCode: string; industry: IndustryKey; sizeClass: SizeClass; districtCode: string }> = {},
) {
  return Enterprise.create({
    tenantId,
    name: overrides.name ?? `测试企业${unique()}有限公司`,
    creditCode: overrides.creditCode ?? randomCreditCode(),
    industry: overrides.industry ?? "machinery",
    sizeClass: overrides.sizeClass ?? "medium",
    districtCode: overrides.districtCode ?? "510104",
  });
}

export async function createUser(overrides: { email?: string; name?: string; platformAdmin?: boolean } = {}) {
  return User.create({
    email: overrides.email ?? `user-${unique()}@example.com`,
    name: overrides.name ?? "测试用户",
    passwordHash: await passwordHash(),
    platformAdmin: overrides.platformAdmin ?? false,
  });
}

export async function createMember(
  tenantId: Types.ObjectId,
  role: Role,
  options: { enterpriseId?: Types.ObjectId; email?: string } = {},
) {
  const user = await createUser({ email: options.email });
  let enterpriseId = options.enterpriseId ?? null;
  if (!enterpriseId && (role === "enterprise_admin" || role === "enterprise_member")) {
    enterpriseId = (await createEnterprise(tenantId))._id;
  }
  await Membership.create({ tenantId, userId: user._id, role, enterpriseId });
  return { user, enterpriseId };
}

/** A Cookie header for a fresh real session of this user. */
export async function cookieFor(userId: Types.ObjectId): Promise<string> {
  const { token } = await createSession({ userId, ip: "127.0.0.1", userAgent: "vitest" });
  const setCookie = await sessionCookieFor(token);
  return setCookie.split(";")[0] ?? "";
}

/** Links an existing user as an expert of a review body (the reviewer role is the caller's). */
export async function addExpert(
  tenantId: Types.ObjectId,
  reviewBodyId: Types.ObjectId,
  userId: Types.ObjectId,
  overrides: Partial<{ active: boolean; specialties: IndustryKey[]; conflictEnterpriseIds: Types.ObjectId[] }> = {},
) {
  return Expert.create({
    tenantId,
    reviewBodyId,
    userId,
    name: `专家${unique()}`,
    certificateNo: `T-${unique()}`,
    email: `expert-${unique()}@example.com`,
    specialties: overrides.specialties ?? ["machinery", "light"],
    active: overrides.active ?? true,
    conflictEnterpriseIds: overrides.conflictEnterpriseIds ?? [],
  });
}

/** A review body (评审单位) with an admin (review_body_admin) and these users as its experts. */
export async function createReviewBody(
  tenantId: Types.ObjectId,
  expertUserIds: Types.ObjectId[] = [],
  overrides: Partial<{ name: string; active: boolean }> = {},
) {
  const admin = await createMember(tenantId, "review_body_admin");
  const body = await ReviewBody.create({
    tenantId,
    name: overrides.name ?? `评审单位${unique()}`,
    creditCode: randomCreditCode(),
    active: overrides.active ?? true,
    adminUserIds: [admin.user._id],
  });
  for (const userId of expertUserIds) await addExpert(tenantId, body._id, userId);
  return { body, admin };
}

/**
 * Regulator → ASSIGN_REVIEW_BODY, then the body's admin → ASSIGN_REVIEWERS (the first reviewer
 * leads). The reviewers become experts of one review body (made here unless the first one is
 * already an expert). For tests whose subject is not the panel itself.
 */
export async function formPanel({
  tenantId,
  applicationId,
  regulator,
  reviewerUserIds,
  now,
}: {
  tenantId: Types.ObjectId;
  applicationId: Types.ObjectId;
  regulator: GradingMember;
  reviewerUserIds: Types.ObjectId[];
  now?: Date;
}): Promise<{ reviewBodyId: Types.ObjectId; bodyAdmin: GradingMember }> {
  const first = reviewerUserIds[0];
  const existing = first ? await Expert.findOne({ tenantId, userId: first }).lean() : null;
  let reviewBodyId: Types.ObjectId;
  let adminId: Types.ObjectId;
  if (existing) {
    const body = await ReviewBody.findOne({ tenantId, _id: existing.reviewBodyId }).lean();
    if (!body?.adminUserIds[0]) throw new Error("formPanel: the expert's body has no admin");
    reviewBodyId = body._id;
    adminId = body.adminUserIds[0];
  } else {
    const made = await createReviewBody(tenantId, reviewerUserIds);
    reviewBodyId = made.body._id;
    adminId = made.admin.user._id;
  }
  const admin = await User.findOne({ _id: adminId }).lean();
  if (!admin) throw new Error("formPanel: body admin missing");
  const bodyAdmin: GradingMember = {
    tenantId,
    roles: ["review_body_admin"],
    permissions: permissionsFor(["review_body_admin"]),
    enterpriseId: null,
    user: { _id: admin._id, email: admin.email },
  };
  const send = async (member: GradingMember, event: Parameters<typeof applyApplicationEvent>[0]["event"]) => {
    const result = await applyApplicationEvent({ tenantId, applicationId, event, actor: { kind: "member", member }, now });
    if (!result.ok) throw new Error(`formPanel: ${JSON.stringify(result)}`);
  };
  await send(regulator, { type: "ASSIGN_REVIEW_BODY", reviewBodyId: String(reviewBodyId) });
  const ids = reviewerUserIds.map(String);
  await send(bodyAdmin, { type: "ASSIGN_REVIEWERS", reviewerIds: ids, leadReviewerId: ids[0] ?? "" });
  return { reviewBodyId, bodyAdmin };
}

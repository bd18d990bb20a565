/** Test data builders for integration tests (real database, no mocks). */
import { randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { Enterprise } from "../models/enterprise";
import { Membership } from "../models/membership";
import { Tenant } from "../models/tenant";
import { User } from "../models/user";
import { sessionCookieFor } from "~/auth.server";
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

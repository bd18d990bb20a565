/**
 * A tenant of its own with one enterprise administrator, written straight into the e2e app's
 * database, for browser tests that must start a self-assessment without changing the demo
 * tenant that other e2e files count on.
 */
import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { hashPassword } from "~/data/passwords.server";
import { computeCheckCharacter, CREDIT_CODE_ALPHABET } from "~/lib/credit-code";

function randomCreditCode(): string {
  const body = `91${Array.from(randomBytes(15), (b) => CREDIT_CODE_ALPHABET.charAt(b % 31)).join("")}`;
  return body + computeCheckCharacter(body);
}

export const OWN_PASSWORD = "Own#tenant-2026";

export async function createOwnEnterpriseAdmin(databaseUri: string): Promise<{ slug: string; email: string }> {
  const tag = randomBytes(4).toString("hex");
  const slug = `a11y-${tag}`;
  const email = `ent-${tag}@a11y.safegrade.test`;
  const connection = await mongoose.connect(databaseUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const tenant = await Tenant.create({
      slug,
      name: { zh: `无障碍测试市应急管理局${tag}`, en: `A11y Test Bureau ${tag}` },
      authority: { zh: `无障碍测试市应急管理局${tag}`, en: `A11y Test Bureau ${tag}` },
      regionCode: "510100",
      districts: [{ code: "510104", name: "锦江区" }],
    });
    const enterprise = await Enterprise.create({
      tenantId: tenant._id,
      name: `无障碍测试机械有限公司${tag}`,
      creditCode: randomCreditCode(),
      industry: "machinery",
      sizeClass: "medium",
      districtCode: "510104",
    });
    const user = await User.create({ email, name: "测试 安全经理", passwordHash: await hashPassword(OWN_PASSWORD) });
    await Membership.create({ tenantId: tenant._id, userId: user._id, role: "enterprise_admin", enterpriseId: enterprise._id });
    return { slug, email };
  } finally {
    await connection.disconnect();
  }
}

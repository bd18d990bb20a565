/** A tenant with a regulator, an enterprise with its admin, and an issued certificate (real DB). */
import type { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { RubricVersion } from "../models/rubric-version";
import { Tenant, type TenantSettings } from "../models/tenant";
import { issueCertificateForApplication, type CertificateRecord } from "~/data/certificates.server";
import { importRubricFiles } from "~/data/rubrics.server";
import type { IndustryKey } from "~/lib/domain";
import { cookieFor, createEnterprise, createMember, createTenant, randomCreditCode } from "./factories";


/** An application as the grading workflow leaves it after CERTIFY (state "certified", pending certificate). */
export async function certifiedApplication(
  tenantId: Types.ObjectId,
  enterpriseId: Types.ObjectId,
  options: { issuedAt?: Date; level?: string; createdBy?: Types.ObjectId; cycle?: string } = {},
) {
  const meta = await RubricVersion.findOne({ tenantId: null, key: "general-tier3" }).lean();
  if (!meta) throw new Error("rubric general-tier3 not imported");
  const level = options.level ?? "level3";
  const issuedAt = options.issuedAt ?? new Date(Date.now() - 10 * 86_400_000);
  return Assessment.create({
    tenantId,
    enterpriseId,
    // The cycle is the year applied in (China time); one application per enterprise and cycle.
    cycle: options.cycle ?? String(new Date(issuedAt.getTime() + 8 * 3_600_000).getUTCFullYear()),
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    createdBy: options.createdBy ?? enterpriseId,
    appliedLevel: level,
    state: "certified",
    pendingCertificate: {
      level,
      appliedLevel: level,
      lowerLevel: false,
      issuedAt,
      certifiedBy: null,
      version: 12,
    },
    version: 12,
  });
}

export async function issueFor(
  tenantId: Types.ObjectId,
  applicationId: Types.ObjectId,
  now = new Date(),
): Promise<CertificateRecord> {
  const result = await issueCertificateForApplication({ tenantId, applicationId, now });
  if (!result.ok) throw new Error(`issue failed: ${result.error}`);
  return result.certificate;
}

export async function certificateWorld(
  options: {
    settings?: Partial<TenantSettings> & Record<string, unknown>;
    issuedAt?: Date;
    industry?: IndustryKey;
    creditCode?: string;
  } = {},
) {
  await importRubricFiles();
  const tenant = await createTenant({ zh: "成都市应急管理局" });
  if (options.settings) {
    const set = Object.fromEntries(Object.entries(options.settings).map(([k, v]) => [`settings.${k}`, v]));
    await Tenant.updateOne({ _id: tenant._id }, { $set: set });
  }
  const regulator = await createMember(tenant._id, "regulator");
  const enterprise = await createEnterprise(tenant._id, {
    name: "成都安泰机械制造有限公司",
    creditCode: options.creditCode ?? randomCreditCode(),
    industry: options.industry ?? "machinery",
  });
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const app = await certifiedApplication(tenant._id, enterprise._id, {
    issuedAt: options.issuedAt,
    createdBy: admin.user._id,
  });
  const certificate = await issueFor(tenant._id, app._id, options.issuedAt ?? new Date());
  return {
    tenant,
    regulator,
    enterprise,
    admin,
    app,
    certificate,
    regulatorCookie: await cookieFor(regulator.user._id),
    adminCookie: await cookieFor(admin.user._id),
    actor: { id: regulator.user._id, email: regulator.user.email },
  };
}

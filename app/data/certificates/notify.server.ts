/** Certificates — emails to the enterprise about its certificate. Concurrency and numbering: ../certificates.server.ts. */
import { findByIds } from "../../../models/find-by-ids";
import { type Types } from "mongoose";
import { Membership } from "../../../models/membership";
import { Tenant } from "../../../models/tenant";
import { User } from "../../../models/user";
import { type Locale } from "~/i18n";
import { type TenantScope } from "../ids.server";
import type { EmailTemplateName } from "../../../emails/names";
import { enqueueEmail } from "../outbox.server";
import { type CertificateRecord, verificationUrl } from "./settings.server";

// ---------------------------------------------------------------------------------------------
// Emails

export async function enterpriseAdmins({
  tenantId,
  enterpriseId,
}: TenantScope & { enterpriseId: Types.ObjectId }) {
  const memberships = await Membership.find({ tenantId, enterpriseId, role: "enterprise_admin" })
    .select({ userId: 1 })
    .lean<Array<{ userId: Types.ObjectId }>>();
  if (memberships.length === 0) return [];
  return findByIds<{ _id: Types.ObjectId; email: string; locale: Locale }>(User, memberships.map((m) => m.userId), {
    filter: { disabled: false },
    select: { email: 1, locale: 1 },
  });
}

export async function notifyEnterprise({
  certificate,
  template,
  key,
  data,
  now,
}: {
  certificate: CertificateRecord;
  template: EmailTemplateName;
  key: string;
  data: Record<string, unknown>;
  now: Date;
}): Promise<number> {
  const tenantId = certificate.tenantId;
  const [admins, tenant] = await Promise.all([
    enterpriseAdmins({ tenantId, enterpriseId: certificate.enterpriseId }),
    Tenant.findOne({ _id: tenantId }).select({ slug: 1 }).lean<{ slug: string }>(),
  ]);
  for (const admin of admins) {
    await enqueueEmail({
      tenantId,
      idempotencyKey: `certificate:${String(certificate._id)}:${key}:${String(admin._id)}`,
      template,
      to: admin.email,
      locale: admin.locale,
      data: {
        certificateId: String(certificate._id),
        number: certificate.number,
        enterpriseName: certificate.enterprise.name,
        level: certificate.levelName,
        validUntil: certificate.validUntil.toISOString(),
        path: tenant ? `/t/${tenant.slug}/certificates/${String(certificate._id)}` : "",
        verifyUrl: verificationUrl(certificate.verifyCode),
        ...data,
      },
      now,
    });
  }
  return admins.length;
}

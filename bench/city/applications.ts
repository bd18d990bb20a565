/**
 * City scenario: applications over three cycles, cloned from the documents the app wrote for the
 * template application (bench/city/templates.ts) at each stage, and certificates cloned from the
 * template's real certificate for the certified ones.
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import type { ApplicationTemplates } from "./templates";
import type { CityPeople } from "./people";
import { insertGenerated, picker, rng } from "./synthetic";

const DAY = 86_400_000;
const YEAR = 365 * DAY;
type Stage = "draft" | "review" | "notice" | "certified";

/**
 * Application i (1-based; 0 is the template itself) belongs to enterprise i. A third of them are
 * two cycles back, a third one cycle back (all certified), a third in the current cycle: drafts,
 * reviews, public notices and certified ones.
 */
export function applicationPlan(i: number, currentYear: number): { cycle: string; yearsBack: number; stage: Stage } {
  const yearsBack = 2 - (i % 3);
  if (yearsBack > 0) return { cycle: String(currentYear - yearsBack), yearsBack, stage: "certified" };
  const slot = Math.floor(i / 3) % 10;
  const stage: Stage = slot < 3 ? "draft" : slot < 6 ? "review" : slot < 7 ? "notice" : "certified";
  return { cycle: String(currentYear), yearsBack, stage };
}

function shift(date: Date | null | undefined, ms: number): Date | null {
  return date ? new Date(date.getTime() - ms) : null;
}

export function cloneApplication(t: AssessmentDoc, input: { _id: Types.ObjectId; enterpriseId: Types.ObjectId; adminId: Types.ObjectId; cycle: string; yearsBack: number }) {
  const back = input.yearsBack * YEAR;
  // The persisted workflow snapshot names its application and enterprise: point it at the clone.
  const workflow = t.workflow
    ? (JSON.parse(
        JSON.stringify(t.workflow).replaceAll(String(t._id), String(input._id)).replaceAll(String(t.enterpriseId), String(input.enterpriseId)),
      ) as Record<string, unknown>)
    : null;
  return {
    ...t,
    _id: input._id,
    enterpriseId: input.enterpriseId,
    cycle: input.cycle,
    createdBy: input.adminId,
    workflow,
    createdAt: shift(t.createdAt, back),
    updatedAt: shift(t.updatedAt, back),
    submittedAt: shift(t.submittedAt, back),
    lastSavedAt: shift(t.lastSavedAt, back),
  };
}

export type SeededApplications = { certified: Array<{ applicationId: Types.ObjectId; enterprise: number; yearsBack: number }> };

export async function seedApplications(input: {
  tenantId: Types.ObjectId;
  people: CityPeople;
  templates: ApplicationTemplates;
  applications: number;
  now: Date;
  progress: (line: string) => void;
}): Promise<SeededApplications> {
  const year = input.now.getUTCFullYear();
  const certified: SeededApplications["certified"] = [];
  await insertGenerated(
    Assessment,
    input.applications - 1,
    (k) => {
      const i = k + 1;
      const plan = applicationPlan(i, year);
      const _id = new Types.ObjectId();
      if (plan.stage === "certified") certified.push({ applicationId: _id, enterprise: i, yearsBack: plan.yearsBack });
      return cloneApplication(input.templates[plan.stage], {
        _id,
        enterpriseId: input.people.enterprises[i]?._id as Types.ObjectId,
        adminId: input.people.adminIds[i] as Types.ObjectId,
        cycle: plan.cycle,
        yearsBack: plan.yearsBack,
      });
    },
    { batch: 100, onBatch: (n) => n % 500 === 99 && input.progress(`applications ${n + 1}/${input.applications}`) },
  );
  return { certified };
}

export async function seedCertificates(input: {
  tenantId: Types.ObjectId;
  people: CityPeople;
  templates: ApplicationTemplates;
  certified: SeededApplications["certified"];
  certificates: number;
  progress: (line: string) => void;
}): Promise<void> {
  const t = input.templates.certificate;
  const pick = picker(rng(11));
  const count = Math.min(input.certificates - 1, input.certified.length);
  await insertGenerated(Certificate, count, (k) => {
    const c = input.certified[k] as SeededApplications["certified"][number];
    const e = input.people.enterprises[c.enterprise];
    const issuedAt = new Date(t.issuedAt.getTime() - c.yearsBack * YEAR + (k % 50) * DAY);
    const year = issuedAt.getUTCFullYear();
    const seq = 100 + k;
    const status = pick(["active", "active", "active", "active", "active", "active", "active", "active", "suspended", "revoked"] as const);
    return {
      ...t,
      _id: new Types.ObjectId(),
      applicationId: c.applicationId,
      enterpriseId: e?._id,
      number: `CDAQBZ-${year}-${String(seq).padStart(5, "0")}`,
      year,
      seq,
      seqKey: `certno:${String(input.tenantId)}:${year}:${seq}`,
      verifyCode: randomBytes(16).toString("base64url"),
      enterprise: { name: e?.name, creditCode: e?.creditCode, industry: e?.industry, districtCode: e?.districtCode, districtName: e?.districtName },
      issuedAt,
      validUntil: new Date(issuedAt.getTime() + 3 * YEAR),
      status,
      suspendedAt: status === "suspended" ? new Date(issuedAt.getTime() + 200 * DAY) : null,
      suspendedReason: status === "suspended" ? "发生一般生产安全事故，暂停使用" : "",
      revokedAt: status === "revoked" ? new Date(issuedAt.getTime() + 300 * DAY) : null,
      revokedReason: status === "revoked" ? "列入安全生产严重失信主体名单" : "",
      createdAt: issuedAt,
      updatedAt: issuedAt,
    };
  }, { batch: 500, onBatch: (n) => input.progress(`certificates ${n + 1}/${input.certificates}`) });
}

import { AppMigration } from "./app-migration";
import { ApplicationRow } from "./application-row";
import { Assessment } from "./assessment";
import { AuditAction } from "./audit-action";
import { AuditEvent } from "./audit-event";
import { Certificate } from "./certificate";
import { Claim } from "./claim";
import { CreditPosting, CreditPostingChange, CreditPostingRef } from "./credit-posting";
import { CreditPublication } from "./credit-publication";
import { CreditRecord } from "./credit-record";
import { DashboardSnapshot, DashboardSnapshotData } from "./dashboard-snapshot";
import { Enterprise } from "./enterprise";
import { Expert } from "./expert";
import { Invitation } from "./invitation";
import { JobSchedule } from "./job-schedule";
import { MemberAccess } from "./member-access";
import { Membership } from "./membership";
import { OutboxMessage } from "./outbox-message";
import { PasswordReset } from "./password-reset";
import { PublicNotice } from "./public-notice";
import { PublicStamp } from "./public-stamp";
import { RateLimit } from "./rate-limit";
import { RectificationItem } from "./rectification-item";
import { Registration } from "./registration";
import { ReviewBody } from "./review-body";
import { RubricVersion } from "./rubric-version";
import { Session } from "./session";
import { Tenant } from "./tenant";
import { TenantSlug } from "./tenant-slug";
import { User } from "./user";
import { dropLegacyWeightProfileIndex, WeightProfileModel } from "./weight-profile";
import { YearlyReport } from "./yearly-report";

export const ALL_MODELS = [
  AppMigration,
  YearlyReport,
  Tenant,
  User,
  Membership,
  MemberAccess,
  TenantSlug,
  Enterprise,
  Session,
  Invitation,
  Registration,
  AuditEvent,
  AuditAction,
  RateLimit,
  OutboxMessage,
  PasswordReset,
  RubricVersion,
  WeightProfileModel,
  Assessment,
  ApplicationRow,
  JobSchedule,
  Claim,
  Certificate,
  CreditRecord,
  CreditPublication,
  CreditPosting,
  CreditPostingRef,
  CreditPostingChange,
  PublicNotice,
  PublicStamp,
  DashboardSnapshot,
  DashboardSnapshotData,
  RectificationItem,
  ReviewBody,
  Expert,
] as const;

/** Creates every declared index (idempotent). Run at start-up and in test setup. */
export async function ensureIndexes(): Promise<void> {
  for (const m of ALL_MODELS) {
    await m.createCollection().catch(() => {});
    await m.createIndexes();
  }
  await dropLegacyWeightProfileIndex();
}

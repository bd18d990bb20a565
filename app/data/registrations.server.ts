import { Types } from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import {
  Registration,
  type RegistrationDoc,
  type RegistrationStatus,
} from "../../models/registration";
import { User } from "../../models/user";
import type { Locale } from "~/i18n";
import type { EnterpriseFields } from "~/lib/validation";
import { inDistrictScope, type DistrictScoped } from "~/lib/district-scope";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { linkCreditRecordsToEnterprise } from "./credit-check.server";
import type { Actor } from "./enterprises.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { enqueueEmail } from "./outbox.server";
import { hashPassword } from "./passwords.server";

export type { RegistrationStatus };

/** What a regulator sees; never the password hash. */
export type RegistrationView = Pick<
  RegistrationDoc,
  "_id" | "status" | "enterprise" | "decidedAt" | "reason" | "enterpriseId" | "createdAt"
> & { admin: { email: string; name: string } };

const VIEW_FIELDS = {
  status: 1,
  enterprise: 1,
  "admin.email": 1,
  "admin.name": 1,
  decidedAt: 1,
  reason: 1,
  enterpriseId: 1,
  createdAt: 1,
} as const;

/** A pending (or half-approved) registration holds its credit code and email until decided. */
const OPEN_STATUSES: RegistrationStatus[] = ["pending", "approving"];

export type SubmitRegistrationInput = EnterpriseFields & {
  adminName: string;
  adminEmail: string;
  password: string;
};
/** A taken credit code is still reported: the public registry shows every code (decision 016). */
export type SubmitRegistrationError = "creditCodeTaken" | "pendingExists";

export async function submitRegistration({
  tenantId,
  input,
  locale,
  ip,
}: TenantScope & { input: SubmitRegistrationInput; locale: Locale; ip: string }): Promise<
  { ok: true; id: Types.ObjectId | null } | { ok: false; error: SubmitRegistrationError }
> {
  const email = input.adminEmail.trim().toLowerCase();
  const [enterprise, pending, user, pendingForEmail] = await Promise.all([
    Enterprise.exists({ tenantId, creditCode: input.creditCode }),
    Registration.exists({
      tenantId,
      "enterprise.creditCode": input.creditCode,
      status: { $in: OPEN_STATUSES },
    }),
    User.exists({ email }),
    // Users are global, so an email waiting for approval in another tenant is just as taken.
    Registration.exists({ "admin.email": email, status: { $in: OPEN_STATUSES } }).setOptions({
      crossTenant: true,
    }),
  ]);
  if (enterprise) return { ok: false, error: "creditCodeTaken" };
  if (pending) return { ok: false, error: "pendingExists" };
  if (user || pendingForEmail) {
    // The page must not tell whether an email is registered (decision 016): the answer is the
    // same as for a new registration, and the mailbox's owner is told instead (once an hour).
    const hour = Math.floor(Date.now() / 3_600_000);
    await enqueueEmail({
      tenantId,
      idempotencyKey: `registration-email-exists:${String(tenantId)}:${email}:${hour}`,
      template: "registration-email-exists",
      to: email,
      locale,
      data: { enterpriseName: input.name, creditCode: input.creditCode },
    });
    await recordAudit({
      tenantId,
      action: "registration.emailExists",
      ip,
      target: { type: "registration", id: email, label: input.name },
      details: { creditCode: input.creditCode },
    });
    return { ok: true, id: null };
  }

  const doc = await Registration.create({
    tenantId,
    status: "pending",
    enterprise: {
      name: input.name,
      creditCode: input.creditCode,
      industry: input.industry,
      sizeClass: input.sizeClass,
      districtCode: input.districtCode,
      industryDivision: input.industryDivision ?? "",
      scale: input.scale ?? "",
      address: input.address,
      contactName: input.contactName,
      contactPhone: input.contactPhone,
    },
    admin: {
      email,
      name: input.adminName,
      passwordHash: await hashPassword(input.password),
      locale,
    },
  });
  await recordAudit({
    tenantId,
    action: "registration.submitted",
    ip,
    target: { type: "registration", id: String(doc._id), label: input.name },
    details: { creditCode: input.creditCode, adminEmail: email },
  });
  return { ok: true, id: doc._id };
}

export async function listRegistrations({
  tenantId,
  recentLimit = 20,
  scope = { districtCodes: [] },
}: TenantScope & { recentLimit?: number; scope?: DistrictScoped }): Promise<{
  open: RegistrationView[];
  recent: RegistrationView[];
}> {
  // One equality read per open status (pushed down by FerretDB; `$in` is not, so it decoded every
  // registration of the tenant), oldest first as one list. `recentLimit: 0` skips the decided ones
  // (the to-do home counts the open ones only).
  const [openByStatus, recent] = await Promise.all([
    Promise.all(
      OPEN_STATUSES.map((status) =>
        Registration.find({ tenantId, status }).sort({ createdAt: 1, _id: 1 }).select(VIEW_FIELDS).lean<RegistrationView[]>(),
      ),
    ),
    recentLimit > 0
      ? Registration.find({ tenantId, status: { $in: ["approved", "refused"] } })
          .sort({ decidedAt: -1, _id: -1 })
          .limit(recentLimit)
          .select(VIEW_FIELDS)
          .lean<RegistrationView[]>()
      : Promise.resolve([]),
  ]);
  const open = openByStatus.flat().sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || String(a._id).localeCompare(String(b._id)));
  // A district-limited regulator sees the registrations of its districts (the lists are short).
  const mine = (r: RegistrationView) => inDistrictScope(scope, r.enterprise.districtCode);
  return { open: open.filter(mine), recent: recent.filter(mine) };
}

export async function getRegistration({
  tenantId,
  id,
  scope = { districtCodes: [] },
}: TenantScope & { id: string | Types.ObjectId; scope?: DistrictScoped }): Promise<RegistrationView | null> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return null;
  const reg = await Registration.findOne({ tenantId, _id }).select(VIEW_FIELDS).lean<RegistrationView>();
  return reg && inDistrictScope(scope, reg.enterprise.districtCode) ? reg : null;
}

export type DecisionError =
  "notFound" | "notPending" | "conflict" | "creditCodeTaken" | "emailTaken";
export type DecisionResult =
  | { ok: true; registrationId: Types.ObjectId; enterpriseId: Types.ObjectId | null }
  | { ok: false; error: DecisionError };

function findRegistration(tenantId: Types.ObjectId, _id: Types.ObjectId) {
  return Registration.findOne({ tenantId, _id }).lean<RegistrationDoc>();
}

/**
 * Approves a registration: creates the enterprise, the admin user and the admin membership.
 *
 * There are no multi-document transactions, so every step is idempotent and a retry (after a crash,
 * or a second regulator clicking at the same moment) completes the same records:
 *  1. pending → approving by compare-and-set, fixing the ids of the enterprise and user to create.
 *     Only one caller makes this move; a refusal (pending → refused) competes for the same version;
 *  2. an `approving` registration may be picked up again to finish a broken attempt;
 *  3. an enterprise with the credit code / a user with the email that carries the planned id is ours
 *     from an earlier attempt and is reused; one with another id belongs to someone else → conflict,
 *     the registration goes back to pending and nothing is created;
 *  4. membership upsert; email queued under an idempotency key;
 *  5. approving → approved by compare-and-set; only the caller that makes this move writes the audit.
 */
export async function approveRegistration({
  tenantId,
  id,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  actor: Actor;
  ip: string;
  now?: Date;
}): Promise<DecisionResult> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return { ok: false, error: "notFound" };
  let reg = await findRegistration(tenantId, _id);
  if (!reg) return { ok: false, error: "notFound" };
  if (reg.status === "pending") {
    await casUpdate(
      Registration,
      { _id, tenantId, expectedVersion: reg.version, extra: { status: "pending" } },
      // Ids kept from an attempt that was sent back to pending are reused, so nothing it made is orphaned.
      {
        $set: {
          status: "approving",
          enterpriseId: reg.enterpriseId ?? new Types.ObjectId(),
          userId: reg.userId ?? new Types.ObjectId(),
        },
      },
    );
    // Whether we or a simultaneous approver made the move, carry on from what is stored now.
    reg = await findRegistration(tenantId, _id);
    if (!reg) return { ok: false, error: "notFound" };
  }
  if (reg.status !== "approving")
    return { ok: false, error: reg.status === "pending" ? "conflict" : "notPending" };
  const { enterpriseId, userId } = reg;
  if (!enterpriseId || !userId)
    throw new Error(`registration ${String(_id)} is approving without planned ids`);

  // Check both before creating either, so a conflict on the email does not leave a new enterprise behind.
  const [codeOwner, emailOwner] = await Promise.all([
    Enterprise.findOne({ tenantId, creditCode: reg.enterprise.creditCode })
      .select({ _id: 1 })
      .lean(),
    User.findOne({ email: reg.admin.email }).select({ _id: 1 }).lean(),
  ]);
  const conflict: DecisionError | null =
    codeOwner && !codeOwner._id.equals(enterpriseId)
      ? "creditCodeTaken"
      : emailOwner && !emailOwner._id.equals(userId)
        ? "emailTaken"
        : null;
  if (conflict) {
    await casUpdate(
      Registration,
      { _id, tenantId, expectedVersion: reg.version, extra: { status: "approving" } },
      { $set: { status: "pending" } },
    );
    return { ok: false, error: conflict };
  }

  const ownEnterprise = await ensureEnterprise({ reg, enterpriseId, actor, ip });
  const ownUser = ownEnterprise === "taken" ? "taken" : await ensureUser({ reg, userId });
  if (ownEnterprise === "taken" || ownUser === "taken") {
    // Lost a race with someone creating the same code / email a moment ago.
    await casUpdate(
      Registration,
      { _id, tenantId, expectedVersion: reg.version, extra: { status: "approving" } },
      { $set: { status: "pending" } },
    );
    return { ok: false, error: ownEnterprise === "taken" ? "creditCodeTaken" : "emailTaken" };
  }
  try {
    await Membership.updateOne(
      { tenantId, userId, role: "enterprise_admin", enterpriseId },
      { $setOnInsert: { createdBy: actor.id } },
      { upsert: true },
    );
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  await enqueueEmail({
    tenantId,
    idempotencyKey: `registration:${String(_id)}:approved`,
    template: "registration-approved",
    to: reg.admin.email,
    locale: reg.admin.locale,
    data: {
      registrationId: String(_id),
      enterpriseId: String(enterpriseId),
      enterpriseName: reg.enterprise.name,
      creditCode: reg.enterprise.creditCode,
      adminName: reg.admin.name,
      email: reg.admin.email,
    },
    now,
  });
  const finished = await casUpdate(
    Registration,
    { _id, tenantId, expectedVersion: reg.version, extra: { status: "approving" } },
    { $set: { status: "approved", decidedBy: actor.id, decidedAt: now, "admin.passwordHash": "" } },
  );
  // A simultaneous approver finished first: its call reports the success and writes the audit.
  if (!finished) return { ok: false, error: "notPending" };
  await recordAudit({
    tenantId,
    action: "registration.approved",
    actor,
    ip,
    at: now,
    target: { type: "registration", id: String(_id), label: reg.enterprise.name },
    details: {
      creditCode: reg.enterprise.creditCode,
      enterpriseId: String(enterpriseId),
      userId: String(userId),
      adminEmail: reg.admin.email,
      resumed: ownEnterprise === "existing" || ownUser === "existing",
    },
  });
  return { ok: true, registrationId: _id, enterpriseId };
}

async function ensureEnterprise({
  reg,
  enterpriseId,
  actor,
  ip,
}: {
  reg: RegistrationDoc;
  enterpriseId: Types.ObjectId;
  actor: Actor;
  ip: string;
}): Promise<"created" | "existing" | "taken"> {
  const { tenantId } = reg;
  const find = () =>
    Enterprise.findOne({ tenantId, creditCode: reg.enterprise.creditCode })
      .select({ _id: 1 })
      .lean();
  const found = await find();
  if (found) return found._id.equals(enterpriseId) ? "existing" : "taken";
  try {
    await Enterprise.create({
      _id: enterpriseId,
      tenantId,
      ...reg.enterprise,
      status: "active",
      version: 0,
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const winner = await find();
    return winner?._id.equals(enterpriseId) ? "existing" : "taken";
  }
  await recordAudit({
    tenantId,
    action: "enterprise.created",
    actor,
    ip,
    target: { type: "enterprise", id: String(enterpriseId), label: reg.enterprise.name },
    details: { creditCode: reg.enterprise.creditCode, registrationId: String(reg._id) },
  });
  // Credit records recorded before the enterprise registered now point to it (Step 6).
  await linkCreditRecordsToEnterprise({ tenantId, enterpriseId, creditCode: reg.enterprise.creditCode });
  return "created";
}

async function ensureUser({
  reg,
  userId,
}: {
  reg: RegistrationDoc;
  userId: Types.ObjectId;
}): Promise<"created" | "existing" | "taken"> {
  const find = () => User.findOne({ email: reg.admin.email }).select({ _id: 1 }).lean();
  const found = await find();
  if (found) return found._id.equals(userId) ? "existing" : "taken";
  if (!reg.admin.passwordHash)
    throw new Error(`registration ${String(reg._id)} has no password hash left`);
  try {
    await User.create({
      _id: userId,
      email: reg.admin.email,
      name: reg.admin.name,
      passwordHash: reg.admin.passwordHash,
      locale: reg.admin.locale,
    });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const winner = await find();
    return winner?._id.equals(userId) ? "existing" : "taken";
  }
  return "created";
}

export async function refuseRegistration({
  tenantId,
  id,
  reason,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  id: string | Types.ObjectId;
  reason: string;
  actor: Actor;
  ip: string;
  now?: Date;
}): Promise<DecisionResult> {
  const _id = typeof id === "string" ? toObjectId(id) : id;
  if (!_id) return { ok: false, error: "notFound" };
  const reg = await findRegistration(tenantId, _id);
  if (!reg) return { ok: false, error: "notFound" };
  // Only from pending: an approval in progress holds `approving` and must be finished, not undercut.
  if (reg.status !== "pending") return { ok: false, error: "notPending" };
  const won = await casUpdate(
    Registration,
    { _id, tenantId, expectedVersion: reg.version, extra: { status: "pending" } },
    {
      $set: {
        status: "refused",
        reason,
        decidedBy: actor.id,
        decidedAt: now,
        "admin.passwordHash": "",
      },
    },
  );
  if (!won) {
    const latest = await findRegistration(tenantId, _id);
    return { ok: false, error: latest?.status === "pending" ? "conflict" : "notPending" };
  }
  await enqueueEmail({
    tenantId,
    idempotencyKey: `registration:${String(_id)}:refused`,
    template: "registration-refused",
    to: reg.admin.email,
    locale: reg.admin.locale,
    data: {
      registrationId: String(_id),
      enterpriseName: reg.enterprise.name,
      creditCode: reg.enterprise.creditCode,
      adminName: reg.admin.name,
      reason,
    },
    now,
  });
  await recordAudit({
    tenantId,
    action: "registration.refused",
    actor,
    ip,
    at: now,
    target: { type: "registration", id: String(_id), label: reg.enterprise.name },
    details: { creditCode: reg.enterprise.creditCode, adminEmail: reg.admin.email, reason },
  });
  return { ok: true, registrationId: _id, enterpriseId: null };
}

import type { Types } from "mongoose";
import { Claim } from "../../models/claim";
import { Invitation, type InvitationDoc } from "../../models/invitation";
import { Membership } from "../../models/membership";
import { User, type UserDoc } from "../../models/user";
import { loginSucceeded, reserveLoginAttempt } from "~/auth.server";
import { getEnv } from "~/env.server";
import type { Locale } from "~/i18n";
import { isEnterpriseRole, type Role } from "~/lib/domain";
import { passwordMatchesEmail, passwordSchema } from "~/lib/validation";
import { recordAudit } from "./audit.server";
import { claimOnce, releaseClaim, STALE_CLAIM_MS } from "./cas.server";
import type { TenantScope } from "./ids.server";
import { enterpriseBelongsToTenant, enterpriseNamesById, type Actor } from "./memberships.server";
import { isDuplicateKeyError } from "./mongo-errors.server";
import { cancelQueuedEmail, enqueueEmail } from "./outbox.server";
import { hashPassword, verifyPassword } from "./passwords.server";
import { hashToken, newToken } from "./sessions.server";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationView = Pick<
  InvitationDoc,
  | "_id"
  | "email"
  | "role"
  | "enterpriseId"
  | "expiresAt"
  | "usedAt"
  | "usedBy"
  | "revokedAt"
  | "invitedBy"
  | "createdAt"
>;
export type InvitationState = "pending" | "used" | "revoked" | "expired";

const VIEW_FIELDS = {
  email: 1,
  role: 1,
  enterpriseId: 1,
  expiresAt: 1,
  usedAt: 1,
  usedBy: 1,
  revokedAt: 1,
  invitedBy: 1,
  createdAt: 1,
} as const;

export function invitationState(
  invitation: Pick<InvitationDoc, "usedAt" | "revokedAt" | "expiresAt">,
  now = new Date(),
): InvitationState {
  if (invitation.usedAt) return "used";
  if (invitation.revokedAt) return "revoked";
  if (invitation.expiresAt.getTime() <= now.getTime()) return "expired";
  return "pending";
}

function invitationLink(tenantSlug: string, token: string): string {
  return `${getEnv().APP_URL.replace(/\/+$/, "")}/t/${tenantSlug}/invite/${token}`;
}

/** A pending email is pointless once the link is dead. */
async function cancelPendingEmail({
  tenantId,
  invitationId,
}: TenantScope & { invitationId: Types.ObjectId }) {
  await cancelQueuedEmail({ tenantId, idempotencyKey: `invitation:${String(invitationId)}` });
}

/**
 * Accepting and revoking both settle an invitation, and only one of them may. FerretDB applies a
 * filtered update in two steps (docs/decisions/001-compare-and-set.md), so `usedAt: null` in an
 * update filter does not stop a second writer; the unique claim insert does.
 */
function settlementKey(invitationId: Types.ObjectId): string {
  return `invitation:${String(invitationId)}:use`;
}

async function claimSettlement({
  tenantId,
  invitationId,
  owner,
  now,
}: TenantScope & { invitationId: Types.ObjectId; owner: string; now: Date }): Promise<boolean> {
  const key = settlementKey(invitationId);
  if (await claimOnce(key, now, owner)) return true;
  // A writer that crashed between its claim and its update would block the link for good:
  // take over a stale claim if the invitation is still unsettled.
  const claim = await Claim.findOne({ _id: key }).lean();
  if (!claim || now.getTime() - claim.at.getTime() < STALE_CLAIM_MS) return false;
  const current = await Invitation.findOne({ tenantId, _id: invitationId })
    .select({ usedAt: 1, revokedAt: 1 })
    .lean<Pick<InvitationDoc, "usedAt" | "revokedAt">>();
  if (!current || current.usedAt || current.revokedAt) return false;
  await Claim.deleteOne({ _id: key, at: claim.at });
  return claimOnce(key, now, owner);
}

async function settlementOwner(invitationId: Types.ObjectId): Promise<string> {
  const claim = await Claim.findOne({ _id: settlementKey(invitationId) }).lean();
  return claim?.owner ?? "";
}

export type CreateInvitationError =
  "enterpriseRequired" | "enterpriseNotFound" | "duplicate" | "alreadyMember" | "otherEnterprise";

/**
 * One person serves one enterprise of a tenant (decision 016): "本企业" means exactly one company,
 * so an enterprise-role invitation for someone who already belongs to another enterprise of the
 * tenant is refused — when it is created and again when it is accepted.
 */
async function belongsToOtherEnterprise(
  tenantId: Types.ObjectId,
  userId: Types.ObjectId,
  enterpriseId: Types.ObjectId | null,
): Promise<boolean> {
  if (!enterpriseId) return false;
  const memberships = await Membership.find({ tenantId, userId })
    .select({ enterpriseId: 1 })
    .limit(100)
    .lean<Array<{ enterpriseId: Types.ObjectId | null }>>();
  return memberships.some((m) => m.enterpriseId && !m.enterpriseId.equals(enterpriseId));
}

/**
 * Creates an invitation and queues its email. Authorisation (who may invite which role) is the
 * caller's job; this checks the facts: the enterprise is in the tenant, nothing is pending already.
 * Only the token's hash is stored; the link goes to the invitee's mailbox and is never shown on a page
 * (the returned link is for tests and the seed; decision 016).
 */
export async function createInvitation({
  tenantId,
  tenantSlug,
  tenantName,
  email,
  role,
  enterpriseId,
  invitedBy,
  ip,
  locale,
  now = new Date(),
}: TenantScope & {
  tenantSlug: string;
  tenantName: string;
  email: string;
  role: Role;
  enterpriseId: Types.ObjectId | null;
  invitedBy: Actor;
  ip: string;
  locale: Locale;
  now?: Date;
}): Promise<
  | { ok: true; invitation: InvitationView; link: string }
  | { ok: false; error: CreateInvitationError }
> {
  const scopedEnterpriseId = isEnterpriseRole(role) ? enterpriseId : null;
  if (isEnterpriseRole(role)) {
    if (!scopedEnterpriseId) return { ok: false, error: "enterpriseRequired" };
    if (!(await enterpriseBelongsToTenant({ tenantId, enterpriseId: scopedEnterpriseId }))) {
      return { ok: false, error: "enterpriseNotFound" };
    }
  }
  const pending = await Invitation.exists({
    tenantId,
    email,
    role,
    usedAt: null,
    revokedAt: null,
    expiresAt: { $gt: now },
  });
  if (pending) return { ok: false, error: "duplicate" };
  const existingUser = await User.findOne({ email })
    .select({ _id: 1, locale: 1 })
    .lean<Pick<UserDoc, "_id" | "locale">>();
  if (existingUser) {
    const member = await Membership.exists({
      tenantId,
      userId: existingUser._id,
      role,
      enterpriseId: scopedEnterpriseId,
    });
    if (member) return { ok: false, error: "alreadyMember" };
    if (await belongsToOtherEnterprise(tenantId, existingUser._id, scopedEnterpriseId)) {
      return { ok: false, error: "otherEnterprise" };
    }
  }

  const token = newToken();
  const created = await Invitation.create({
    tenantId,
    email,
    role,
    enterpriseId: scopedEnterpriseId,
    tokenHash: hashToken(token),
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    invitedBy: invitedBy.id,
  });
  const link = invitationLink(tenantSlug, token);
  // The mail names the company and the person who invites (issue 17).
  const [enterpriseNames, inviter] = await Promise.all([
    enterpriseNamesById({ tenantId, ids: [scopedEnterpriseId] }),
    User.findOne({ _id: invitedBy.id }).select({ name: 1 }).lean<{ name: string }>(),
  ]);
  const enterpriseName = scopedEnterpriseId ? (enterpriseNames.get(String(scopedEnterpriseId)) ?? null) : null;
  await enqueueEmail({
    tenantId,
    idempotencyKey: `invitation:${String(created._id)}`,
    template: "invitation",
    to: email,
    locale: existingUser?.locale ?? locale,
    data: { link, tenantName, role, enterpriseName, inviterName: inviter?.name ?? invitedBy.email },
    now,
  });
  await recordAudit({
    tenantId,
    action: "invitation.created",
    ip,
    actor: invitedBy,
    target: { type: "invitation", id: String(created._id), label: email },
    details: { role, enterpriseId: scopedEnterpriseId ? String(scopedEnterpriseId) : null },
    at: now,
  });
  const invitation: InvitationView = {
    _id: created._id,
    email: created.email,
    role: created.role,
    enterpriseId: created.enterpriseId,
    expiresAt: created.expiresAt,
    usedAt: null,
    usedBy: null,
    revokedAt: null,
    invitedBy: created.invitedBy,
    createdAt: created.createdAt,
  };
  return { ok: true, invitation, link };
}

export type InvitationLookup = {
  invitation: InvitationView;
  state: InvitationState;
  enterpriseName: string | null;
  /** Who sent it (issue 17: the invitee sees a person, not only an authority). */
  inviterName: string | null;
  /** Whether the invited email already has an account (then the invitee logs in instead of signing up). */
  hasAccount: boolean;
};

export async function getInvitationByToken({
  tenantId,
  token,
  now = new Date(),
}: TenantScope & { token: string; now?: Date }): Promise<InvitationLookup | null> {
  if (!token || token.length > 100) return null;
  const invitation = await Invitation.findOne({ tenantId, tokenHash: hashToken(token) })
    .select(VIEW_FIELDS)
    .lean<InvitationView>();
  if (!invitation) return null;
  const [names, account, inviter] = await Promise.all([
    enterpriseNamesById({ tenantId, ids: [invitation.enterpriseId] }),
    User.exists({ email: invitation.email }),
    invitation.invitedBy ? User.findOne({ _id: invitation.invitedBy }).select({ name: 1 }).lean<{ name: string }>() : null,
  ]);
  return {
    invitation,
    state: invitationState(invitation, now),
    enterpriseName: invitation.enterpriseId
      ? (names.get(String(invitation.enterpriseId)) ?? null)
      : null,
    inviterName: inviter?.name ?? null,
    hasAccount: account !== null,
  };
}

export type AcceptInput =
  { kind: "new"; name: string; password: string } | { kind: "existing"; password: string };
export type AcceptError =
  | "notFound"
  | "used"
  | "revoked"
  | "expired"
  | "accountExists"
  | "noAccount"
  | "wrongPassword"
  | "weakPassword"
  | "rateLimited"
  | "disabled"
  | "otherEnterprise";

/**
 * Accepts an invitation. There are no multi-document transactions (FerretDB), so the writes are
 * ordered to never leave a used invitation without its membership: check everything, create the
 * user and membership, then claim the invitation (see claimSettlement) and mark it used; whoever
 * loses the claim removes what it created.
 */
export async function acceptInvitation({
  tenantId,
  token,
  input,
  ip,
  locale,
  now = new Date(),
}: TenantScope & {
  token: string;
  input: AcceptInput;
  ip: string;
  locale: Locale;
  now?: Date;
}): Promise<
  | {
      ok: true;
      user: { _id: Types.ObjectId; email: string };
      invitation: InvitationView;
      newUser: boolean;
    }
  | { ok: false; error: AcceptError; retryAfterMinutes?: number }
> {
  const tokenHash = hashToken(token);
  const invitation = await Invitation.findOne({ tenantId, tokenHash })
    .select(VIEW_FIELDS)
    .lean<InvitationView>();
  if (!invitation) return { ok: false, error: "notFound" };
  const state = invitationState(invitation, now);
  if (state !== "pending") return { ok: false, error: state };

  const existing = await User.findOne({ email: invitation.email })
    .select({ _id: 1, email: 1, passwordHash: 1, disabled: 1 })
    .lean<Pick<UserDoc, "_id" | "email" | "passwordHash" | "disabled">>();
  let user: { _id: Types.ObjectId; email: string };
  let createdUser = false;
  if (input.kind === "existing") {
    if (!existing) return { ok: false, error: "noAccount" };
    // The link already proves access to the mailbox, but the account password is still guessable
    // from it: share the login form's per-account limit.
    const reservation = await reserveLoginAttempt({ email: existing.email, ip });
    if (!reservation.ok) {
      return { ok: false, error: "rateLimited", retryAfterMinutes: reservation.retryAfterMinutes };
    }
    if (!(await verifyPassword(existing.passwordHash, input.password))) {
      return { ok: false, error: "wrongPassword" };
    }
    await loginSucceeded({ email: existing.email, ip });
    if (existing.disabled) return { ok: false, error: "disabled" };
    user = { _id: existing._id, email: existing.email };
  } else {
    if (existing) return { ok: false, error: "accountExists" };
    // The route validated this already; the data layer does not trust its callers' forms.
    if (
      !passwordSchema.safeParse(input.password).success ||
      passwordMatchesEmail(input.password, invitation.email)
    ) {
      return { ok: false, error: "weakPassword" };
    }
    try {
      const created = await User.create({
        email: invitation.email,
        name: input.name,
        passwordHash: await hashPassword(input.password),
        locale,
      });
      user = { _id: created._id, email: created.email };
      createdUser = true;
    } catch (error) {
      // Someone created this account between our check and the insert.
      if (isDuplicateKeyError(error)) return { ok: false, error: "accountExists" };
      throw error;
    }
  }

  // The invitee may have joined another enterprise of the tenant since the invitation was sent.
  if (!createdUser && (await belongsToOtherEnterprise(tenantId, user._id, invitation.enterpriseId))) {
    return { ok: false, error: "otherEnterprise" };
  }
  const membershipKey = {
    tenantId,
    userId: user._id,
    role: invitation.role,
    enterpriseId: invitation.enterpriseId,
  };
  let createdMembershipId: Types.ObjectId | null = null;
  if (!(await Membership.exists(membershipKey))) {
    try {
      createdMembershipId = (
        await Membership.create({ ...membershipKey, createdBy: invitation.invitedBy })
      )._id;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  const owner = `accept:${String(user._id)}`;
  const undo = async () => {
    if (createdMembershipId) await Membership.deleteOne({ tenantId, _id: createdMembershipId });
    if (createdUser) await User.deleteOne({ _id: user._id });
  };
  if (!(await claimSettlement({ tenantId, invitationId: invitation._id, owner, now }))) {
    const winner = await settlementOwner(invitation._id);
    // A concurrent accept by the same person won: the membership is theirs too, keep it.
    if (winner !== owner) await undo();
    const after = await Invitation.findOne({ tenantId, _id: invitation._id })
      .select(VIEW_FIELDS)
      .lean<InvitationView>();
    const lost = after ? invitationState(after, now) : "revoked";
    // The winner may not have written its timestamp yet; its claim says what it is doing.
    if (lost !== "pending") return { ok: false, error: lost };
    return { ok: false, error: winner.startsWith("revoke:") ? "revoked" : "used" };
  }
  const marked = await Invitation.updateOne(
    { tenantId, _id: invitation._id, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now, usedBy: user._id } },
  );
  if (marked.modifiedCount !== 1) {
    // Only possible after a stale-claim takeover raced us; leave the invitation as it is.
    await undo();
    await releaseClaim(settlementKey(invitation._id));
    return { ok: false, error: "used" };
  }
  const claimed: InvitationView = { ...invitation, usedAt: now, usedBy: user._id };

  await cancelPendingEmail({ tenantId, invitationId: invitation._id });
  await recordAudit({
    tenantId,
    action: "invitation.accepted",
    ip,
    actor: { id: user._id, email: user.email },
    target: { type: "invitation", id: String(invitation._id), label: invitation.email },
    details: {
      role: invitation.role,
      enterpriseId: invitation.enterpriseId ? String(invitation.enterpriseId) : null,
      newUser: createdUser,
    },
    at: now,
  });
  return { ok: true, user, invitation: claimed, newUser: createdUser };
}

/** `enterpriseIds` limits an enterprise admin to their own enterprises' invitations (others look absent). */
export async function revokeInvitation({
  tenantId,
  invitationId,
  enterpriseIds,
  actor,
  ip,
  now = new Date(),
}: TenantScope & {
  invitationId: Types.ObjectId;
  enterpriseIds?: Types.ObjectId[];
  actor: Actor;
  ip: string;
  now?: Date;
}): Promise<{ ok: true } | { ok: false; error: "notFound" | "notPending" }> {
  const scope = {
    tenantId,
    _id: invitationId,
    ...(enterpriseIds ? { enterpriseId: { $in: enterpriseIds } } : {}),
  };
  const revoked = await Invitation.findOne(scope).select(VIEW_FIELDS).lean<InvitationView>();
  if (!revoked) return { ok: false, error: "notFound" };
  if (revoked.usedAt || revoked.revokedAt) return { ok: false, error: "notPending" };
  const owner = `revoke:${String(actor.id)}`;
  if (!(await claimSettlement({ tenantId, invitationId, owner, now }))) {
    return { ok: false, error: "notPending" };
  }
  await Invitation.updateOne(
    { tenantId, _id: invitationId, usedAt: null, revokedAt: null },
    { $set: { revokedAt: now } },
  );
  await cancelPendingEmail({ tenantId, invitationId });
  await recordAudit({
    tenantId,
    action: "invitation.revoked",
    ip,
    actor,
    target: { type: "invitation", id: String(invitationId), label: revoked.email },
    details: { role: revoked.role },
    at: now,
  });
  return { ok: true };
}

export type PendingInvitation = InvitationView & { enterpriseName: string | null };

export async function listPendingInvitations({
  tenantId,
  enterpriseIds,
  limit = 100,
  now = new Date(),
}: TenantScope & { enterpriseIds?: Types.ObjectId[]; limit?: number; now?: Date }): Promise<{
  items: PendingInvitation[];
  capped: boolean;
}> {
  const rows = await Invitation.find({
    tenantId,
    ...(enterpriseIds ? { enterpriseId: { $in: enterpriseIds } } : {}),
    usedAt: null,
    revokedAt: null,
    expiresAt: { $gt: now },
  })
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1)
    .select(VIEW_FIELDS)
    .lean<InvitationView[]>();
  const items = rows.slice(0, limit);
  const names = await enterpriseNamesById({ tenantId, ids: items.map((i) => i.enterpriseId) });
  return {
    items: items.map((i) => ({
      ...i,
      enterpriseName: i.enterpriseId ? (names.get(String(i.enterpriseId)) ?? null) : null,
    })),
    capped: rows.length > limit,
  };
}

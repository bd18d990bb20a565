/**
 * Demo review body (评审单位) with four experts (the two demo reviewers and two more) and its
 * admin, so the demo can assign an application to a body and form a panel.
 */
import type { Types } from "mongoose";
import { Expert } from "../../models/expert";
import { Membership } from "../../models/membership";
import { ReviewBody } from "../../models/review-body";
import { User } from "../../models/user";
import type { IndustryKey } from "../../app/lib/domain";

export const DEMO_REVIEW_BODY = {
  name: "四川安泰安全评审咨询有限公司",
  creditCode: "91510100MA6CQ4TL1P",
  contactName: "郑海",
  contactPhone: "028-86660001",
  contactEmail: "body@demo.safegrade.cn",
  qualificationNote: "省应急管理厅备案的安全生产标准化评审单位（示例数据）",
};

export const DEMO_BODY_ADMIN = { email: "body-admin@demo.safegrade.cn", name: "评审单位管理员 郑海" };

/** Experts: the demo reviewers (by email) and two that exist only as experts. */
export const DEMO_EXPERTS: Array<{
  email: string;
  name: string;
  certificateNo: string;
  specialties: IndustryKey[];
  employer: string;
}> = [
  { email: "reviewer@demo.safegrade.cn", name: "评审专家 刘洋", certificateNo: "SC-PS-2023-0101", specialties: ["chemical", "hazchem"], employer: "四川安泰安全评审咨询有限公司" },
  { email: "reviewer2@demo.safegrade.cn", name: "评审专家 黄婷", certificateNo: "SC-PS-2023-0102", specialties: ["machinery", "light", "hazchem"], employer: "四川安泰安全评审咨询有限公司" },
  { email: "reviewer3@demo.safegrade.cn", name: "评审专家 吴刚", certificateNo: "SC-PS-2024-0217", specialties: ["machinery", "metallurgy"], employer: "西南交通大学" },
  { email: "reviewer4@demo.safegrade.cn", name: "评审专家 何静", certificateNo: "SC-PS-2024-0218", specialties: ["commerce", "light", "other"], employer: "成都市安全生产协会" },
];

export async function seedDemoReviewBody({
  tenantId,
  passwordHash,
}: {
  tenantId: Types.ObjectId;
  passwordHash: string;
}): Promise<Types.ObjectId> {
  const body = await ReviewBody.create({ tenantId, ...DEMO_REVIEW_BODY });
  const userFor = async (email: string, name: string) =>
    (await User.findOne({ email }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>())?._id ??
    (await User.create({ email, name, passwordHash }))._id;
  const adminId = await userFor(DEMO_BODY_ADMIN.email, DEMO_BODY_ADMIN.name);
  await Membership.create({ tenantId, userId: adminId, role: "review_body_admin", enterpriseId: null });
  await ReviewBody.updateOne({ tenantId, _id: body._id }, { $set: { adminUserIds: [adminId] } });
  for (const e of DEMO_EXPERTS) {
    const userId = await userFor(e.email, e.name);
    await Membership.updateOne(
      { tenantId, userId, role: "reviewer", enterpriseId: null },
      { $setOnInsert: { createdBy: null } },
      { upsert: true },
    );
    await Expert.create({ tenantId, reviewBodyId: body._id, userId, phone: "", ...e });
  }
  return body._id;
}

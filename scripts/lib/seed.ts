/**
 * Demo data for an empty database: tenant `chengdu` with one user per role and three enterprises.
 * Idempotent, and refuses to touch a database that already holds data.
 */
import type mongoose from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { hashPassword } from "../../app/data/passwords.server";
import type { Role } from "../../app/lib/domain";
import { NATIONAL_NUMBER_PATTERN } from "../../app/lib/certificate";
import { districtLinesOf } from "../../app/lib/tenant-config";
import { createTenant } from "../../app/data/tenants/platform.server";
import { CLI_ACTOR } from "./tenant-cli";
import { seedDemoCertificateFor } from "./seed-certificate";
import { seedDemoCreditRecords } from "./seed-credit";
import { seedDemoReviewBody } from "./seed-review-body";

export const DEMO_PASSWORD = "Demo#2026safe";

export const CHENGDU_DISTRICTS = [
  { code: "510104", name: "锦江区" },
  { code: "510105", name: "青羊区" },
  { code: "510106", name: "金牛区" },
  { code: "510107", name: "武侯区" },
  { code: "510108", name: "成华区" },
  { code: "510112", name: "龙泉驿区" },
  { code: "510113", name: "青白江区" },
  { code: "510114", name: "新都区" },
  { code: "510115", name: "温江区" },
  { code: "510116", name: "双流区" },
  { code: "510117", name: "郫都区" },
  { code: "510118", name: "新津区" },
  { code: "510121", name: "金堂县" },
  { code: "510129", name: "大邑县" },
  { code: "510131", name: "蒲江县" },
  { code: "510181", name: "都江堰市" },
  { code: "510182", name: "彭州市" },
  { code: "510183", name: "邛崃市" },
  { code: "510184", name: "崇州市" },
  { code: "510185", name: "简阳市" },
];

/** Fictional enterprises; codes are generated to pass the GB 32100 checksum. */
export const DEMO_ENTERPRISES = [
  {
    key: "machinery",
    name: "成都锦程精密机械有限公司",
    creditCode: "91510100MA61R0XK3C",
    industry: "machinery",
    sizeClass: "medium",
    industryDivision: "34",
    scale: "above",
    districtCode: "510112",
    address: "成都市龙泉驿区经开区南四路88号",
    contactName: "王建国",
    contactPhone: "028-84800001",
  },
  {
    key: "chemical",
    name: "成都蜀新化工材料股份有限公司",
    creditCode: "91510113MA62A1B2C1",
    industry: "chemical",
    sizeClass: "large",
    industryDivision: "26",
    scale: "above",
    districtCode: "510113",
    address: "成都市青白江区化工园区团结路6号",
    contactName: "李红梅",
    contactPhone: "028-83600002",
  },
  {
    key: "small",
    name: "成都青羊区惠民食品加工厂",
    creditCode: "92510105MA6C7D8E9N",
    industry: "light",
    sizeClass: "micro",
    industryDivision: "14",
    scale: "below",
    districtCode: "510105",
    address: "成都市青羊区文家路12号",
    contactName: "张小燕",
    contactPhone: "13800000003",
  },
  {
    key: "hazchem",
    name: "成都龙泉危化品经营有限公司",
    creditCode: "91510112MA6AQ8TK57",
    industry: "hazchem",
    sizeClass: "small",
    industryDivision: "51",
    scale: "below",
    districtCode: "510112",
    address: "成都市龙泉驿区龙都南路366号",
    contactName: "孙志刚",
    contactPhone: "028-84800004",
  },
  // Step 12: enterprises in the central districts (no accounts), so district limits and targets show.
  {
    key: "jinjiang-retail",
    name: "成都锦江春熙商贸有限公司",
    creditCode: "91510104MA6CJ1TP1G",
    industry: "commerce",
    sizeClass: "medium",
    industryDivision: "52",
    scale: "above",
    districtCode: "510104",
    address: "成都市锦江区春熙路 18 号",
    contactName: "刘芳",
    contactPhone: "028-86600005",
  },
  {
    key: "wuhou-print",
    name: "成都武侯彩印包装有限公司",
    creditCode: "91510107MA6DWH8P2C",
    industry: "light",
    sizeClass: "medium",
    industryDivision: "23",
    scale: "below",
    districtCode: "510107",
    address: "成都市武侯区武兴路 66 号",
    contactName: "陈静",
    contactPhone: "028-85500006",
  },
  {
    key: "jinniu-machinery",
    name: "成都金牛通用设备制造有限公司",
    creditCode: "91510106MA6BJN3Q4A",
    industry: "machinery",
    sizeClass: "large",
    industryDivision: "34",
    scale: "above",
    districtCode: "510106",
    address: "成都市金牛区蜀西路 9 号",
    contactName: "赵刚",
    contactPhone: "028-87700007",
  },
  {
    key: "chenghua-building",
    name: "成都成华建材有限公司",
    creditCode: "91510108MA6ECH5R6Y",
    industry: "building-materials",
    sizeClass: "small",
    industryDivision: "30",
    scale: "below",
    districtCode: "510108",
    address: "成都市成华区龙潭工业园 3 号",
    contactName: "黄磊",
    contactPhone: "028-83300008",
  },
] as const;

export const DEMO_USERS: Array<{ email: string; name: string; role: Role | "platform_admin"; enterprise?: string; districts?: string[] }> = [
  { email: "admin@demo.safegrade.cn", name: "辖区管理员 周敏", role: "tenant_admin" },
  { email: "regulator@demo.safegrade.cn", name: "监管员 陈立", role: "regulator" },
  // Step 12: a district-level regulator (锦江区): sees only 锦江区's enterprises, applications and figures.
  { email: "jinjiang@demo.safegrade.cn", name: "锦江区监管员 吴昊", role: "regulator", districts: ["510104"] },
  { email: "reviewer@demo.safegrade.cn", name: "评审专家 刘洋", role: "reviewer" },
  { email: "reviewer2@demo.safegrade.cn", name: "评审专家 黄婷", role: "reviewer" },
  { email: "ent-admin@demo.safegrade.cn", name: "安全经理 王建国", role: "enterprise_admin", enterprise: "machinery" },
  { email: "ent-member@demo.safegrade.cn", name: "安全员 赵强", role: "enterprise_member", enterprise: "machinery" },
  { email: "chem-admin@demo.safegrade.cn", name: "安全总监 李红梅", role: "enterprise_admin", enterprise: "chemical" },
  { email: "small-admin@demo.safegrade.cn", name: "负责人 张小燕", role: "enterprise_admin", enterprise: "small" },
  { email: "hazchem-admin@demo.safegrade.cn", name: "安全经理 孙志刚", role: "enterprise_admin", enterprise: "hazchem" },
  { email: "platform@demo.safegrade.cn", name: "系统管理员", role: "platform_admin" },
];

/** First-time certifications aimed for in 2026, per district (Step 12). */
const DEMO_TARGETS = ["2026 510104 30", "2026 510105 25", "2026 510106 25", "2026 510107 30", "2026 510108 20", "2026 510112 40", "2026 510113 35"];

export type SeedResult = { seeded: boolean; reason?: string };

/** "Has data" = anyone's data: a tenant or a user. Rubric imports and job rows don't count. */
async function databaseHasData(): Promise<boolean> {
  const [tenants, users] = await Promise.all([
    Tenant.estimatedDocumentCount(),
    User.estimatedDocumentCount(),
  ]);
  return tenants > 0 || users > 0;
}

export async function seedDemoData(): Promise<SeedResult> {
  if (await databaseHasData()) return { seeded: false, reason: "database already has data" };
  // The tenant is made the way the platform makes one (same data function and validation as
  // /platform and `npm run tenant`), with 2026 targets for the central districts.
  const created = await createTenant({
    actor: CLI_ACTOR,
    ip: "seed",
    locale: "zh-CN",
    input: {
      slug: "chengdu",
      authorityZh: "成都市应急管理局",
      authorityEn: "Chengdu Emergency Management Bureau",
      provinceCode: "510000",
      cityCode: "510100",
      districts: districtLinesOf(CHENGDU_DISTRICTS),
      numberPattern: NATIONAL_NUMBER_PATTERN,
      targets: DEMO_TARGETS.join("\n"),
    },
  });
  if (!created.ok) throw new Error(`demo tenant refused: ${JSON.stringify(created.errors)}`);
  const tenant = await Tenant.findOne({ _id: created.tenantId }).orFail();
  const enterpriseIds = new Map<string, mongoose.Types.ObjectId>();
  for (const e of DEMO_ENTERPRISES) {
    const { key, ...fields } = e;
    const doc = await Enterprise.create({ ...fields, tenantId: tenant._id });
    enterpriseIds.set(key, doc._id);
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const user = await User.create({
      email: u.email,
      name: u.name,
      passwordHash,
      platformAdmin: u.role === "platform_admin",
    });
    if (u.role === "platform_admin") continue;
    await Membership.create({
      tenantId: tenant._id,
      userId: user._id,
      role: u.role,
      enterpriseId: u.enterprise ? (enterpriseIds.get(u.enterprise) ?? null) : null,
      districtCodes: u.districts ?? [],
    });
  }
  // Step 12: the hazardous-chemicals trader's licence expires soon (a warning on its veto item and a
  // task for the regulator).
  const hazchemId = enterpriseIds.get("hazchem");
  if (hazchemId) {
    const licences = [{ type: "hazchem-trading" as const, number: "（川）WH安经字〔2023〕0088", expiresAt: new Date(Date.now() + 20 * 86_400_000) }];
    await Enterprise.updateOne({ tenantId: tenant._id, _id: hazchemId }, { $set: { licences, licenceNextExpiry: licences[0]?.expiresAt ?? null } });
  }
  // Step 10: a review body with its admin and four experts (the demo reviewers among them).
  await seedDemoReviewBody({ tenantId: tenant._id, passwordHash });
  // Step 5: the chemical company is certified (三级), so the demo has a real, verifiable certificate.
  const certified = enterpriseIds.get("chemical");
  if (certified) await seedDemoCertificateFor(tenant, certified);
  // A second certified company (危化品经营), so the credit-list demo can show joint punishment.
  const hazchem = enterpriseIds.get("hazchem");
  if (hazchem) await seedDemoCertificateFor(tenant, hazchem);
  // Step 6: credit-list records in several states, none for the demo enterprises above.
  const regulator = await User.findOne({ email: "regulator@demo.safegrade.cn" }).select({ _id: 1 }).lean();
  await seedDemoCreditRecords(tenant._id, regulator?._id ?? null);
  return { seeded: true };
}

/** Fixed vocabularies shared by client and server. Labels live in the i18n catalogs. */
export const ROLES = [
  "enterprise_admin",
  "enterprise_member",
  "reviewer",
  "regulator",
  "tenant_admin",
  /** 组织单位: accepts applications and checks review reports when the tenant enables it. */
  "organizer",
  /** Admin of one review body (评审单位): manages its experts and forms its panels. */
  "review_body_admin",
] as const;
export type Role = (typeof ROLES)[number];
export const ENTERPRISE_ROLES: readonly Role[] = ["enterprise_admin", "enterprise_member"];
export function isEnterpriseRole(role: Role): boolean {
  return ENTERPRISE_ROLES.includes(role);
}

/** DOMAIN.md §8 industries; the key is stable, the Chinese name is what rubrics refer to. */
export const INDUSTRIES = [
  { key: "chemical", zh: "化工" },
  { key: "pharma", zh: "医药" },
  { key: "hazchem", zh: "危化" },
  { key: "fireworks", zh: "烟花爆竹" },
  { key: "petroleum", zh: "石油开采" },
  { key: "mining", zh: "金属非金属矿山" },
  { key: "metallurgy", zh: "冶金" },
  { key: "nonferrous", zh: "有色" },
  { key: "building-materials", zh: "建材" },
  { key: "machinery", zh: "机械" },
  { key: "light", zh: "轻工" },
  { key: "textile", zh: "纺织" },
  { key: "tobacco", zh: "烟草" },
  { key: "commerce", zh: "商贸" },
  { key: "construction", zh: "建筑施工" },
  { key: "other", zh: "其他" },
] as const;
export type IndustryKey = (typeof INDUSTRIES)[number]["key"];
export const INDUSTRY_KEYS = INDUSTRIES.map((i) => i.key) as [IndustryKey, ...IndustryKey[]];

export const SIZE_CLASSES = ["large", "medium", "small", "micro"] as const;
export type SizeClass = (typeof SIZE_CLASSES)[number];

export const LIMITS = {
  name: 100,
  shortText: 200,
  address: 200,
  reason: 2000,
  email: 254,
  phone: 30,
} as const;

/** City scenario: enterprises, and two accounts per enterprise (admin and member) with their memberships. */
import { Types } from "mongoose";
import { Enterprise } from "../../models/enterprise";
import { Membership } from "../../models/membership";
import { User } from "../../models/user";
import { hashPassword } from "../../app/data/passwords.server";
import { INDUSTRY_KEYS, SIZE_CLASSES } from "../../app/lib/domain";
import { companyName, creditCodeFor, insertGenerated, picker, rng } from "./synthetic";

/** Password of every seeded city account (the bench logs in through the real login route with it). */
export const CITY_PASSWORD = "City#2026bench";

export type CityEnterprise = { _id: Types.ObjectId; name: string; creditCode: string; industry: string; districtCode: string; districtName: string };
export type CityPeople = { enterprises: CityEnterprise[]; adminIds: Types.ObjectId[] };

export const cityAdminEmail = (i: number) => `e${i}-admin@city.bench.cn`;
const cityMemberEmail = (i: number) => `e${i}-member@city.bench.cn`;

export async function seedPeople(input: {
  tenantId: Types.ObjectId;
  districts: Array<{ code: string; name: string }>;
  enterprises: number;
  since: Date;
  progress: (line: string) => void;
}): Promise<CityPeople> {
  const { tenantId, since } = input;
  const pick = picker(rng(7));
  const enterprises: CityEnterprise[] = Array.from({ length: input.enterprises }, (_, i) => {
    const district = pick(input.districts);
    return {
      _id: new Types.ObjectId(),
      name: companyName(i, "成都"),
      creditCode: creditCodeFor(i),
      industry: pick(INDUSTRY_KEYS),
      districtCode: district.code,
      districtName: district.name,
    };
  });
  await insertGenerated(Enterprise, enterprises.length, (i) => {
    const e = enterprises[i] as CityEnterprise;
    return {
      _id: e._id,
      tenantId,
      name: e.name,
      creditCode: e.creditCode,
      industry: e.industry,
      sizeClass: pick(SIZE_CLASSES),
      districtCode: e.districtCode,
      address: `成都市${e.districtName}工业大道${(i % 900) + 1}号`,
      contactName: "联系人",
      contactPhone: `028-8${String(1_000_000 + i).slice(-7)}`,
      createdAt: new Date(since.getTime() + i * 60_000),
    };
  }, { onBatch: (n) => n % 5000 === 0 && input.progress(`enterprises ${n}/${enterprises.length}`) });

  // One real argon2id hash shared by every account (hashing 20,000 passwords would take minutes).
  const passwordHash = await hashPassword(CITY_PASSWORD);
  const adminIds = enterprises.map(() => new Types.ObjectId());
  const memberIds = enterprises.map(() => new Types.ObjectId());
  const users = enterprises.length * 2;
  await insertGenerated(User, users, (k) => {
    const i = Math.floor(k / 2);
    const admin = k % 2 === 0;
    return {
      _id: (admin ? adminIds[i] : memberIds[i]) as Types.ObjectId,
      email: admin ? cityAdminEmail(i) : cityMemberEmail(i),
      name: admin ? `安全经理${i}` : `安全员${i}`,
      passwordHash,
    };
  }, { onBatch: (n) => n % 10000 === 0 && input.progress(`users ${n}/${users}`) });
  await insertGenerated(Membership, users, (k) => {
    const i = Math.floor(k / 2);
    const admin = k % 2 === 0;
    return {
      tenantId,
      userId: (admin ? adminIds[i] : memberIds[i]) as Types.ObjectId,
      role: admin ? "enterprise_admin" : "enterprise_member",
      enterpriseId: enterprises[i]?._id,
    };
  }, { onBatch: (n) => n % 10000 === 0 && input.progress(`memberships ${n}/${users}`) });
  return { enterprises, adminIds };
}

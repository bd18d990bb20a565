import type { Types } from "mongoose";
import { User } from "../../models/user";
import type { Locale } from "~/i18n";

export async function setUserLocale({ userId, locale }: { userId: Types.ObjectId; locale: Locale }): Promise<void> {
  await User.updateOne({ _id: userId }, { $set: { locale } });
}

export async function findUserByEmail({ email }: { email: string }) {
  return User.findOne({ email: email.trim().toLowerCase() }).lean();
}

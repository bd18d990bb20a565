import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { getUser } from "~/auth.server";
import { setUserLocale } from "~/data/users.server";
import { isLocale } from "~/i18n";
import { localeCookie } from "~/locale.server";
import { safeRedirectTarget } from "~/lib/http/redirect-target";
import { readForm } from "~/lib/http/read-form.server";

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const locale = form.get("locale");
  const redirectTo = safeRedirectTarget(form.get("redirectTo"), "/");
  if (!isLocale(locale)) return new Response(JSON.stringify({ error: "errors.invalidChoice" }), { status: 400 });
  const user = await getUser(request);
  // Remember the choice on the account too: emails are sent in the recipient's language.
  if (user) await setUserLocale({ userId: user._id, locale });
  return redirect(redirectTo, { headers: { "Set-Cookie": await localeCookie.serialize(locale) } });
}

export function loader() {
  return redirect("/");
}

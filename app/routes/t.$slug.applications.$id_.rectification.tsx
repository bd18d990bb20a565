/**
 * POST /t/<slug>/applications/<id>/rectification — one rectification item (整改项):
 *   intent=answer    the enterprise's note + evidence files (multipart `files`, streamed into GridFS
 *                    with the evidence checks; the item is resolved before a byte is stored);
 *   intent=accept | reopen | leaveOpen   the assigned reviewer's decision (note / reason).
 * JSON answers `{ ok, itemId, intent, error? }`; the page shows the error next to the item.
 */
import {
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type UploadHandler,
} from "@remix-run/node";
import { clientIp } from "~/auth.server";
import { requestNow } from "~/clock.server";
import {
  answerRectificationItem,
  decideRectificationItem,
  prepareRectificationAnswer,
  storeRectificationFile,
  type RectificationError,
  type StoredRectificationFile,
} from "~/data/grading.server";
import { deleteStoredFile, evidenceLimits } from "~/data/evidence.server";
import type { MessageKey } from "~/i18n";
import { BodyTooLargeError, limitBody, readForm } from "~/lib/http/read-form.server";
import { formatBytes } from "~/lib/evidence";
import { msg } from "~/lib/validation";
import { logger } from "~/logger.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

const VIEWERS = ["read:assessment:own", "read:assessment:any", "read:assessment:assigned"] as const;

export type RectificationActionResult = {
  ok: boolean;
  intent: string;
  itemId: string;
  error?: string;
};

const ERRORS: Record<RectificationError, { key: MessageKey; status: number }> = {
  notFound: { key: "rect.errors.notFound", status: 404 },
  forbidden: { key: "rect.errors.notEditable", status: 403 },
  notEditable: { key: "rect.errors.notEditable", status: 409 },
  noteRequired: { key: "rect.errors.noteRequired", status: 400 },
  tooManyFiles: { key: "evidence.errors.tooManyForItem", status: 400 },
  conflict: { key: "rect.errors.conflict", status: 409 },
};

const FILE_ERRORS: Record<string, MessageKey> = {
  badName: "evidence.errors.badName",
  empty: "evidence.errors.empty",
  type: "evidence.errors.type",
  mismatch: "evidence.errors.mismatch",
  tooLarge: "evidence.errors.tooLarge",
};

/** A resource route answers with a real Response (single fetch ignores `data()`'s status here). */
function reply(result: RectificationActionResult, status = 200): Response {
  return Response.json(result, { status });
}

type Read = { form: Record<string, string>; files: StoredRectificationFile[]; error: string | null };

/** Reads the form; an answer's files are stored as they stream in, for the item named before them. */
async function readRectificationForm(
  request: Request,
  scope: Parameters<typeof prepareRectificationAnswer>[0] & { maxFilesPerItem: number },
  maxBodyBytes: number,
): Promise<Read> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    const form: Record<string, string> = {};
    for (const [k, v] of await readForm(request)) if (typeof v === "string") form[k] = v;
    return { form, files: [], error: null };
  }
  const fields: Record<string, string> = {};
  const files: StoredRectificationFile[] = [];
  let error: string | null = null;
  let prepared: Awaited<ReturnType<typeof prepareRectificationAnswer>> | null = null;
  const drain = async (part: { data: AsyncIterable<Uint8Array> }) => {
    for await (const chunk of part.data) void chunk;
  };
  const fileHandler: UploadHandler = async (part) => {
    if (part.name !== "files" || part.filename === undefined) return undefined;
    if (!part.filename || error) {
      await drain(part);
      return "";
    }
    prepared ??= await prepareRectificationAnswer({ ...scope, itemId: fields.itemId ?? "" });
    if (!prepared.ok) {
      error = msg(ERRORS[prepared.error].key, { max: scope.maxFilesPerItem });
      await drain(part);
      return "";
    }
    if (files.length >= prepared.filesLeft) {
      error = msg("evidence.errors.tooManyForItem", { max: scope.maxFilesPerItem });
      await drain(part);
      return "";
    }
    const stored = await storeRectificationFile({
      tenantId: scope.tenantId,
      item: prepared.item,
      uploadedBy: scope.member.user._id,
      source: part.data,
      filename: part.filename,
      maxBytes: prepared.maxBytes,
    });
    if (stored.ok) files.push(stored.file);
    else {
      const key = FILE_ERRORS[stored.error] ?? "errors.generic";
      error =
        stored.error === "tooLarge" ? msg(key, { max: formatBytes(prepared.maxBytes) }) : msg(key);
      await drain(part);
    }
    return "";
  };
  // Text fields are kept as they arrive, so the file handler knows the item.
  const textHandler: UploadHandler = async (part) => {
    if (part.filename !== undefined) return undefined;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of part.data) {
      size += chunk.byteLength;
      if (size <= 64 * 1024) chunks.push(chunk);
    }
    const value = Buffer.concat(chunks).toString("utf8");
    fields[part.name] = value;
    return value;
  };
  await unstable_parseMultipartFormData(
    limitBody(request, maxBodyBytes),
    unstable_composeUploadHandlers(
      textHandler,
      fileHandler,
      unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024 }),
    ),
  );
  return { form: fields, files, error };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, ...VIEWERS);
  const applicationId = params.id ?? "";
  const now = requestNow(request);
  const scope = { tenantId: tenant._id, applicationId, member, itemId: "" };
  const limits = evidenceLimits(tenant.settings);
  let read: Read;
  try {
    read = await readRectificationForm(
      request,
      { ...scope, maxFilesPerItem: limits.maxFilesPerItem },
      limits.maxFilesPerItem * limits.maxFileBytes + 256 * 1024,
    );
  } catch (error) {
    if (error instanceof Response) throw error;
    logger.warn({ err: error, applicationId }, "rectification form could not be read");
    const status = error instanceof BodyTooLargeError ? 413 : 400;
    return reply({ ok: false, intent: "", itemId: "", error: msg("errors.generic") }, status);
  }
  const { form, files } = read;
  const intent = form.intent ?? "";
  const itemId = form.itemId ?? "";
  const versionText = form.version ?? "";
  const expectedVersion = /^\d+$/.test(versionText) ? Number(versionText) : undefined;
  if (read.error) {
    for (const f of files) await deleteStoredFile(f.fileId);
    return reply({ ok: false, intent, itemId, error: read.error }, 400);
  }
  const common = { tenantId: tenant._id, applicationId, itemId, member, expectedVersion, now };
  let result;
  if (intent === "answer") {
    result = await answerRectificationItem({
      ...common,
      note: form.note ?? "",
      files,
      ip: clientIp(request),
    });
  } else if (intent === "accept" || intent === "reopen" || intent === "leaveOpen") {
    for (const f of files) await deleteStoredFile(f.fileId);
    result = await decideRectificationItem({ ...common, decision: intent, note: form.note ?? "" });
  } else {
    for (const f of files) await deleteStoredFile(f.fileId);
    return reply({ ok: false, intent, itemId, error: msg("errors.invalidChoice") }, 400);
  }
  if (result.ok) return reply({ ok: true, intent, itemId });
  if (result.error === "notFound") throw notFound();
  const e = ERRORS[result.error];
  const error =
    result.error === "tooManyFiles" ? msg(e.key, { max: limits.maxFilesPerItem }) : msg(e.key);
  return reply({ ok: false, intent, itemId, error }, e.status);
}

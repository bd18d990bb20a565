/**
 * POST /t/<slug>/assessments/<id>/evidence?itemId=<item> — upload one evidence file
 * (multipart/form-data; fields `itemId`, `filename` and `expectedVersion` are optional and must
 * come before the `file` part). The file part is piped straight into GridFS: nothing is buffered
 * beyond a small head/tail window, and a file over the limit is cut off and deleted as soon as it
 * crosses it. Answers JSON: 201 `{ ok, evidence, version }` or `{ ok: false, errors: { file } }`
 * with 400/401/403/404/409/413/415 and an i18n key.
 */
import {
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type UploadHandler,
} from "@remix-run/node";
import { clientIp, getMember } from "~/auth.server";
import {
  evidenceLimits,
  toEvidenceFileView,
  uploadEvidence,
  type UploadEvidenceError,
} from "~/data/evidence.server";
import type { MessageKey } from "~/i18n";
import { formatBytes, type EvidenceLimits } from "~/lib/evidence";
import { logger } from "~/logger.server";
import { can } from "~/lib/permissions";
import { msg } from "~/lib/validation";
import { requireTenant } from "~/tenant.server";

/** Room for the multipart envelope and the small text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
const MAX_TEXT_FIELD = 1024;
const TEXT_FIELDS = new Set(["itemId", "filename", "expectedVersion"]);

const STATUS: Record<UploadEvidenceError, number> = {
  notFound: 404,
  forbidden: 403,
  locked: 409,
  conflict: 409,
  unknownItem: 400,
  badName: 400,
  empty: 400,
  type: 415,
  mismatch: 415,
  tooLarge: 413,
  tooManyForItem: 409,
  tooManyForAssessment: 409,
};

function errorMessage(error: UploadEvidenceError, limits: EvidenceLimits): string {
  switch (error) {
    case "tooLarge":
      return msg("evidence.errors.tooLarge", { max: formatBytes(limits.maxFileBytes) });
    case "tooManyForItem":
      return msg("evidence.errors.tooManyForItem", { max: limits.maxFilesPerItem });
    case "tooManyForAssessment":
      return msg("evidence.errors.tooManyForAssessment", { max: limits.maxFilesPerAssessment });
    default: {
      const keys: Record<
        Exclude<UploadEvidenceError, "tooLarge" | "tooManyForItem" | "tooManyForAssessment">,
        MessageKey
      > = {
        notFound: "errors.notFound",
        forbidden: "errors.forbidden",
        locked: "evidence.errors.locked",
        conflict: "errors.conflict",
        unknownItem: "evidence.errors.unknownItem",
        badName: "evidence.errors.badName",
        empty: "evidence.errors.empty",
        type: "evidence.errors.type",
        mismatch: "evidence.errors.mismatch",
      };
      return msg(keys[error]);
    }
  }
}

const fail = (status: number, file: string, headers?: HeadersInit) =>
  Response.json(
    { ok: false, errors: { file } },
    { status, headers: { "Cache-Control": "no-store", ...headers } },
  );

/**
 * The request body behind a reader we keep, so that after a refusal the rest of the upload can be
 * read and thrown away. Browsers only show our answer once they have sent the whole body; a
 * server that stops reading leaves them hanging (the "fails on large files without a message"
 * complaint). Past `maxDrain` bytes we stop reading and close the connection after answering.
 */
function drainableBody(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  async function drain(maxDrain: number): Promise<boolean> {
    let seen = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return true;
        seen += value.byteLength;
        // Stop reading; the answer goes out with "Connection: close" and Node ends the socket.
        if (seen > maxDrain) return false;
      }
    } catch {
      return false;
    }
  }
  return { stream, drain };
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly file: string,
  ) {
    super(file);
  }
}
class Stored extends Error {}
class Failed extends Error {}

/** The file part's bytes, remembering whether the request body broke off (truncated multipart). */
function watchedPart(data: AsyncIterable<Uint8Array>): { data: AsyncIterable<Uint8Array>; broken: () => boolean } {
  let broken = false;
  async function* pass() {
    try {
      for await (const chunk of data) yield chunk;
    } catch (error) {
      broken = true;
      throw error;
    }
  }
  return { data: pass(), broken: () => broken };
}

async function readText(data: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.byteLength;
    if (size > MAX_TEXT_FIELD) throw new Refused(400, msg("errors.generic"));
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export async function action({ request, params }: ActionFunctionArgs) {
  if (request.method !== "POST") return fail(405, msg("errors.generic"), { Allow: "POST" });
  const tenant = await requireTenant(params);
  const member = await getMember(request, tenant);
  if (!member) return fail(401, msg("evidence.errors.signedOut"));
  if (!can(member.permissions, "update:assessment:own")) return fail(403, msg("errors.forbidden"));

  const limits = evidenceLimits(tenant.settings);
  const maxBody = limits.maxFileBytes + MULTIPART_OVERHEAD;
  const maxDrain = 2 * maxBody;
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!request.body || !contentType.startsWith("multipart/form-data"))
    return fail(400, msg("evidence.errors.noFile"));
  const body = drainableBody(request.body);
  const refuse = async (status: number, file: string) => {
    const drained = await body.drain(maxDrain);
    return fail(status, file, drained ? undefined : { Connection: "close" });
  };
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > maxBody) {
    return refuse(413, errorMessage("tooLarge", limits));
  }

  const url = new URL(request.url);
  const fields = new Map<string, string>();
  let result: Awaited<ReturnType<typeof uploadEvidence>> | undefined;
  const handler: UploadHandler = async (part) => {
    if (part.filename === undefined) {
      const text = await readText(part.data);
      if (TEXT_FIELDS.has(part.name)) fields.set(part.name, text);
      return undefined;
    }
    if (part.name !== "file") throw new Refused(400, msg("evidence.errors.noFile"));
    // An empty file input still sends a part, with an empty name.
    if (part.filename === "" && !fields.get("filename"))
      throw new Refused(400, msg("evidence.errors.noFile"));
    const itemId = url.searchParams.get("itemId") ?? fields.get("itemId") ?? "";
    if (itemId === "") throw new Refused(400, msg("evidence.errors.unknownItem"));
    const expectedText = fields.get("expectedVersion") ?? url.searchParams.get("expectedVersion");
    const expectedVersion = expectedText ? Number(expectedText) : undefined;
    if (expectedVersion !== undefined && !Number.isSafeInteger(expectedVersion))
      throw new Refused(400, msg("errors.generic"));
    const file = watchedPart(part.data);
    result = await uploadEvidence({
      tenantId: tenant._id,
      assessmentId: params.id ?? "",
      itemId,
      file: file.data,
      // The client sends the real name as a field: some names (with ";" or "=") do not survive
      // the multipart header parser intact.
      filename: fields.get("filename") || part.filename,
      actor: member,
      expectedVersion,
      limits,
      ip: clientIp(request),
    }).catch((error: unknown) => {
      // A body cut off before its closing boundary is the client's fault: 400, nothing stored.
      if (file.broken()) throw new Refused(400, msg("security.malformedBody"));
      logger.error({ err: error, assessmentId: params.id }, "evidence upload failed");
      throw new Failed();
    });
    if (!result.ok) throw new Refused(STATUS[result.error], errorMessage(result.error, limits));
    // Nothing after the file matters; stop parsing rather than buffer whatever follows.
    throw new Stored();
  };

  try {
    await unstable_parseMultipartFormData(
      new Request(request.url, {
        method: "POST",
        headers: request.headers,
        body: body.stream,
        duplex: "half",
      }),
      handler,
    );
  } catch (error) {
    if (error instanceof Refused) return refuse(error.status, error.file);
    if (error instanceof Failed) return refuse(500, msg("evidence.errors.server"));
    // Anything else came from the multipart parser: a malformed body.
    if (!(error instanceof Stored)) return refuse(400, msg("errors.generic"));
  }
  if (!result) return refuse(400, msg("evidence.errors.noFile"));
  if (!result.ok) return refuse(STATUS[result.error], errorMessage(result.error, limits));
  await body.drain(maxDrain);
  return Response.json(
    { ok: true, evidence: toEvidenceFileView(result.evidence), version: result.version },
    { status: 201, headers: { "Cache-Control": "no-store" } },
  );
}

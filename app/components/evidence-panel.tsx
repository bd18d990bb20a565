/**
 * Evidence files of one rubric item: list with sizes and download links, upload with a real
 * progress bar (XMLHttpRequest upload events, which every browser has; fetch has none), the same
 * type/size/count checks as the server before a byte is sent, and delete behind a confirmation
 * dialog. No <form> element: the panel sits inside the wizard's form, and forms cannot nest.
 */
import { useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { reportUpload, type UploadMessage } from "~/lib/evidence-messages";
import {
  DEFAULT_EVIDENCE_LIMITS,
  EVIDENCE_ACCEPT,
  checkBlobType,
  cleanFilename,
  formatBytes,
  kindFromFilename,
  type EvidenceFileView,
  type EvidenceLimits,
} from "~/lib/evidence";
import { msg } from "~/lib/validation";

export type EvidencePanelProps = {
  slug: string;
  assessmentId: string;
  itemId: string;
  /** The item's files (e.g. `evidenceByItem(assessment.evidence)[itemId] ?? []` in the loader). */
  files: EvidenceFileView[];
  /** Upload and delete allowed (own enterprise, update permission, assessment still a draft). */
  canEdit: boolean;
  /** The item requires evidence: shows the badge and hint. */
  required?: boolean;
  /** The tenant's limits, for the checks before uploading (the server checks again). */
  limits?: Partial<Pick<EvidenceLimits, "maxFileBytes" | "maxFilesPerItem">>;
  /** Called after every successful upload or delete with the item's files and the assessment's new version. */
  onChange?: (files: EvidenceFileView[], info: { version: number }) => void;
  /** Revalidate the page's loaders after a change (default true), so counts and versions stay in step. */
  revalidate?: boolean;
};

type Pending = { key: string; file: File; status: "waiting" | "uploading"; progress: number; round: number };

type UploadReply = { status: number; body: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The server's error key from `{ errors: { file } }`, if the body has one. */
function replyError(body: unknown): string | null {
  if (!isRecord(body) || !isRecord(body.errors)) return null;
  const file = body.errors.file;
  return typeof file === "string" ? file : null;
}

function replyFile(body: unknown): { evidence: EvidenceFileView; version: number } | null {
  if (
    !isRecord(body) ||
    body.ok !== true ||
    !isRecord(body.evidence) ||
    typeof body.version !== "number"
  )
    return null;
  const e = body.evidence;
  if (typeof e.fileId !== "string" || typeof e.filename !== "string" || typeof e.size !== "number")
    return null;
  return {
    evidence: {
      fileId: e.fileId,
      itemId: typeof e.itemId === "string" ? e.itemId : "",
      filename: e.filename,
      contentType: typeof e.contentType === "string" ? e.contentType : "",
      size: e.size,
      uploadedAt: typeof e.uploadedAt === "string" ? e.uploadedAt : new Date().toISOString(),
      uploadedBy: typeof e.uploadedBy === "string" ? e.uploadedBy : "",
      carriedOver: e.carriedOver === true,
    },
    version: body.version,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Characters some multipart parsers choke on; the real name travels in the `filename` field. */
const partName = (name: string) => name.replace(/[;="\\\r\n]/g, "_");

function sendUpload(
  url: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  register: (xhr: XMLHttpRequest) => void,
): Promise<UploadReply> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    register(xhr);
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: parseJson(xhr.responseText) });
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.onabort = () => resolve({ status: -1, body: null });
    xhr.send(form);
  });
}

export function EvidencePanel({
  slug,
  assessmentId,
  itemId,
  files,
  canEdit,
  required = false,
  limits,
  onChange,
  revalidate = true,
}: EvidencePanelProps) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const revalidator = useRevalidator();
  const ids = useId();
  const maxFileBytes = limits?.maxFileBytes ?? DEFAULT_EVIDENCE_LIMITS.maxFileBytes;
  const maxFilesPerItem = limits?.maxFilesPerItem ?? DEFAULT_EVIDENCE_LIMITS.maxFilesPerItem;
  const base = `/t/${slug}/assessments/${encodeURIComponent(assessmentId)}/evidence`;

  const [list, setList] = useState<EvidenceFileView[]>(files);
  const [pending, setPending] = useState<Pending[]>([]);
  const [messages, setMessages] = useState<UploadMessage[]>([]);
  const roundRef = useRef(0);
  const [confirming, setConfirming] = useState<EvidenceFileView | null>(null);
  const [deleting, setDeleting] = useState(false);
  const xhrRef = useRef<XMLHttpRequest | null>(null);
  const listRef = useRef(list);
  const busyRef = useRef(false);
  const queueRef = useRef<Pending[]>([]);
  const inputRef = useRef<HTMLInputElement>(null);
  const cancelButtonRef = useRef<HTMLButtonElement>(null);
  const confirmButtonRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement | null>(null);

  // New loader data (revalidation, another member's upload) replaces the local list. Keyed by the
  // file ids, so a parent re-rendering with the same (possibly not yet revalidated) data is a no-op.
  const filesRef = useRef(files);
  filesRef.current = files;
  const filesKey = files.map((f) => f.fileId).join(",");
  useEffect(() => {
    setList(filesRef.current);
    listRef.current = filesRef.current;
  }, [filesKey]);

  // Leaving the page stops the running upload and drops the queue.
  useEffect(
    () => () => {
      queueRef.current = [];
      xhrRef.current?.abort();
    },
    [],
  );

  useEffect(() => {
    if (confirming) cancelButtonRef.current?.focus();
  }, [confirming]);

  const say = useCallback((kind: UploadMessage["kind"], text: string, round = roundRef.current) => {
    setMessages((m) => reportUpload(m, { key: `${Date.now()}-${Math.random()}`, kind, text, round }));
  }, []);

  const changed = useCallback(
    (next: EvidenceFileView[], version: number) => {
      listRef.current = next;
      setList(next);
      onChange?.(next, { version });
      if (revalidate) revalidator.revalidate();
    },
    [onChange, revalidate, revalidator],
  );

  const errorFor = useCallback(
    (name: string, key: string) =>
      t("evidence.errorFor", { name, error: errorText(key) ?? t("evidence.errors.server") }),
    [errorText, t],
  );

  const pump = useCallback(async () => {
    if (busyRef.current) return;
    busyRef.current = true;
    try {
      for (let next = queueRef.current[0]; next; next = queueRef.current[0]) {
        const current = next;
        const update = (patch: Partial<Pending>) => {
          queueRef.current = queueRef.current.map((p) =>
            p.key === current.key ? { ...p, ...patch } : p,
          );
          setPending(queueRef.current);
        };
        update({ status: "uploading", progress: 0 });
        const form = new FormData();
        form.append("itemId", itemId);
        form.append("filename", current.file.name);
        form.append("file", current.file, partName(current.file.name));
        const reply = await sendUpload(
          `${base}?itemId=${encodeURIComponent(itemId)}`,
          form,
          (fraction) => update({ progress: fraction }),
          (xhr) => (xhrRef.current = xhr),
        );
        xhrRef.current = null;
        queueRef.current = queueRef.current.filter((p) => p.key !== current.key);
        setPending(queueRef.current);
        const stored = reply.status === 201 ? replyFile(reply.body) : null;
        if (stored) {
          changed([...listRef.current, stored.evidence], stored.version);
          say("ok", t("evidence.uploaded", { name: stored.evidence.filename }), current.round);
        } else if (reply.status === -1) {
          // Cancelled by the user: nothing to report.
        } else if (reply.status === 0) {
          say("error", errorFor(current.file.name, msg("evidence.errors.network")), current.round);
        } else if (reply.status === 401) {
          say("error", errorFor(current.file.name, msg("evidence.errors.signedOut")), current.round);
        } else {
          say(
            "error",
            errorFor(current.file.name, replyError(reply.body) ?? msg("evidence.errors.server")),
            current.round,
          );
        }
      }
    } finally {
      busyRef.current = false;
    }
  }, [base, changed, errorFor, itemId, say, t]);

  const onFiles = useCallback(
    async (picked: File[]) => {
      const round = ++roundRef.current;
      let slots = maxFilesPerItem - listRef.current.length - queueRef.current.length;
      const accepted: Pending[] = [];
      for (const file of picked) {
        const name = cleanFilename(file.name);
        let error: string | null = null;
        if (name === null) error = msg("evidence.errors.badName");
        else if (kindFromFilename(name) === null) error = msg("evidence.errors.type");
        else if (file.size === 0) error = msg("evidence.errors.empty");
        else if (file.size > maxFileBytes)
          error = msg("evidence.errors.tooLarge", { max: formatBytes(maxFileBytes) });
        else if (slots <= 0)
          error = msg("evidence.errors.tooManyForItem", { max: maxFilesPerItem });
        else {
          const check = await checkBlobType(file, name);
          if (!check.ok)
            error = msg(
              check.error === "type" ? "evidence.errors.type" : "evidence.errors.mismatch",
            );
        }
        if (error) {
          say("error", errorFor(file.name, error), round);
          continue;
        }
        slots--;
        accepted.push({
          key: `${Date.now()}-${Math.random()}`,
          file,
          status: "waiting",
          progress: 0,
          round,
        });
      }
      if (accepted.length === 0) return;
      queueRef.current = [...queueRef.current, ...accepted];
      setPending(queueRef.current);
      void pump();
    },
    [errorFor, maxFileBytes, maxFilesPerItem, pump, say],
  );

  const cancelUpload = (key: string) => {
    const first = queueRef.current[0];
    if (first?.key === key && first.status === "uploading") {
      xhrRef.current?.abort();
      return;
    }
    queueRef.current = queueRef.current.filter((p) => p.key !== key);
    setPending(queueRef.current);
  };

  const closeDialog = () => {
    setConfirming(null);
    openerRef.current?.focus();
  };

  const confirmDelete = async () => {
    if (!confirming) return;
    const target = confirming;
    setDeleting(true);
    try {
      const response = await fetch(`${base}/${encodeURIComponent(target.fileId)}`, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new URLSearchParams({ intent: "delete" }),
        credentials: "same-origin",
      });
      const body = parseJson(await response.text());
      if (response.ok && isRecord(body) && body.ok === true && typeof body.version === "number") {
        changed(
          listRef.current.filter((f) => f.fileId !== target.fileId),
          body.version,
        );
        say("ok", t("evidence.deleted", { name: target.filename }));
      } else {
        say(
          "error",
          errorFor(target.filename, replyError(body) ?? msg("evidence.errors.deleteFailed")),
        );
      }
    } catch {
      say("error", errorFor(target.filename, msg("evidence.errors.network")));
    } finally {
      setDeleting(false);
      setConfirming(null);
      inputRef.current?.focus();
    }
  };

  /** Keeps Tab inside the dialog and lets Escape close it. */
  const onDialogKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape" && !deleting) {
      event.preventDefault();
      closeDialog();
    } else if (event.key === "Tab") {
      const first = cancelButtonRef.current;
      const last = confirmButtonRef.current;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  };

  const full = list.length + pending.length >= maxFilesPerItem;
  const hintId = `${ids}-hint`;
  const inputId = `${ids}-input`;

  return (
    <section
      className="evidence-box"
      aria-labelledby={`${ids}-title`}
      data-evidence-panel={itemId}
    >
      <h4
        id={`${ids}-title`}
        className="evidence-title"
      >
        {t("evidence.title")}
        {required ? (
          <span className="badge bg-amber-100 text-amber-800">{t("evidence.requiredBadge")}</span>
        ) : null}
      </h4>
      {required && list.length === 0 ? (
        <p className="mt-1 text-xs text-amber-800">{t("evidence.requiredHint")}</p>
      ) : null}

      {list.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">{t("evidence.none")}</p>
      ) : (
        <ul
          className="evidence-list"
          aria-label={t("evidence.listLabel")}
        >
          {list.map((f) => (
            <li
              key={f.fileId}
              className="evidence-row"
              data-evidence-file={f.fileId}
            >
              <div className="min-w-0">
                <a
                  href={`${base}/${encodeURIComponent(f.fileId)}`}
                  className="break-all text-brand-600 hover:underline"
                  aria-label={t("evidence.downloadName", { name: f.filename })}
                  download={f.filename}
                >
                  {f.filename}
                </a>
                <div className="text-xs text-slate-500">
                  {t("evidence.uploadedMeta", {
                    size: formatBytes(f.size),
                    time: formatDateTime(f.uploadedAt, locale),
                  })}
                  {f.carriedOver ? (
                    <span className="badge ml-2 bg-slate-100 text-slate-600">
                      {t("evidence.carriedOver")}
                    </span>
                  ) : null}
                </div>
              </div>
              {canEdit ? (
                <button
                  type="button"
                  className="text-sm text-red-600 hover:underline"
                  aria-label={t("evidence.deleteName", { name: f.filename })}
                  onClick={(event) => {
                    openerRef.current = event.currentTarget;
                    setConfirming(f);
                  }}
                >
                  {t("evidence.delete")}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}

      {pending.length > 0 ? (
        <ul className="mt-2 space-y-2">
          {pending.map((p) => {
            const percent = Math.round(p.progress * 100);
            const label =
              p.status === "uploading"
                ? t("evidence.uploading", { name: p.file.name })
                : t("evidence.waiting", { name: p.file.name });
            return (
              <li
                key={p.key}
                className="rounded border border-slate-200 bg-white px-3 py-2 text-sm"
              >
                <div className="flex items-center justify-between gap-2">
                  <span className="break-all">{label}</span>
                  <button
                    type="button"
                    className="text-xs text-slate-600 hover:underline"
                    onClick={() => cancelUpload(p.key)}
                  >
                    {t("evidence.cancelUpload")}
                  </button>
                </div>
                <div className="mt-1 flex items-center gap-2">
                  <progress
                    className="h-2 w-full"
                    max={100}
                    value={p.status === "uploading" ? percent : 0}
                    aria-label={t("evidence.progressLabel", { name: p.file.name })}
                  />
                  <span className="w-10 text-right text-xs tabular-nums text-slate-600">
                    {percent}%
                  </span>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}

      {canEdit ? (
        <div className="mt-3">
          <label htmlFor={inputId} className="label">
            {t("evidence.choose")}
          </label>
          <input
            ref={inputRef}
            id={inputId}
            type="file"
            multiple
            accept={EVIDENCE_ACCEPT}
            disabled={full}
            aria-describedby={hintId}
            className="file-input"
            onChange={(event) => {
              const picked = Array.from(event.currentTarget.files ?? []);
              // Cleared at once so choosing the same file again fires another change.
              event.currentTarget.value = "";
              void onFiles(picked);
            }}
          />
          <p id={hintId} className="mt-1 text-xs text-slate-500">
            {t("evidence.hint", { max: formatBytes(maxFileBytes), count: maxFilesPerItem })}
          </p>
        </div>
      ) : null}

      <div aria-live="polite" className="mt-2 space-y-1">
        {messages.map((m) =>
          m.kind === "error" ? (
            <p key={m.key} role="alert" className="text-sm text-red-700" data-evidence-error>
              {m.text}
            </p>
          ) : (
            <p key={m.key} role="status" className="text-sm text-emerald-700">
              {m.text}
            </p>
          ),
        )}
      </div>

      {confirming ? (
        <div className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 p-4">
          <div
            role="alertdialog"
            aria-modal="true"
            aria-labelledby={`${ids}-dialog-title`}
            aria-describedby={`${ids}-dialog-body`}
            className="w-full max-w-md rounded-lg bg-white p-5 shadow-lg"
            onKeyDown={onDialogKeyDown}
          >
            <h2 id={`${ids}-dialog-title`} className="text-lg font-semibold text-slate-900">
              {t("evidence.deleteTitle")}
            </h2>
            <p id={`${ids}-dialog-body`} className="mt-2 break-all text-sm text-slate-700">
              {t("evidence.deleteBody", { name: confirming.filename })}
            </p>
            <div className="mt-4 flex justify-end gap-2">
              <button
                ref={cancelButtonRef}
                type="button"
                className="btn-secondary"
                onClick={closeDialog}
                disabled={deleting}
              >
                {t("common.cancel")}
              </button>
              <button
                ref={confirmButtonRef}
                type="button"
                className="btn-danger"
                onClick={() => void confirmDelete()}
                disabled={deleting}
              >
                {deleting ? t("evidence.deleting") : t("evidence.deleteConfirm")}
              </button>
            </div>
          </div>
        </div>
      ) : null}
    </section>
  );
}

/**
 * The upload panel's notes ("uploaded …", "… could not be uploaded: …"). Every pick of files is a
 * round; a note about a newer round replaces the notes of older rounds, so an error stays only as
 * long as nothing newer has been tried (a later successful upload removes a stale error), while
 * the notes of one round (one file refused, another uploaded) stay side by side.
 */
export type UploadMessage = { key: string; kind: "error" | "ok"; text: string; round: number };

export const MAX_UPLOAD_MESSAGES = 5;

export function reportUpload(messages: UploadMessage[], message: UploadMessage): UploadMessage[] {
  const current = messages.filter((m) => m.round >= message.round);
  return [...current, message].slice(-MAX_UPLOAD_MESSAGES);
}

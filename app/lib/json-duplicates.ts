/**
 * `JSON.parse` keeps the last of two equal keys silently (a `none` on a veto item overwritten by a
 * later `full`). This scans already-valid JSON text and names the first key that repeats within
 * one object, with its path. Pure; linear in the text.
 */
export function findDuplicateKey(text: string): string | null {
  type Frame =
    | { kind: "object"; keys: Set<string>; path: string; pendingKey: string | null }
    | { kind: "array"; path: string; index: number };
  const stack: Frame[] = [];
  const join = (base: string, key: string) => (base ? `${base}.${key}` : key);
  const childPath = (frame: Frame | undefined): string => {
    if (!frame) return "";
    if (frame.kind === "array") return `${frame.path}[${frame.index}]`;
    return frame.pendingKey === null ? frame.path : join(frame.path, frame.pendingKey);
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const raw = text.slice(i, j + 1);
      i = j + 1;
      const top = stack[stack.length - 1];
      if (top?.kind === "object" && top.pendingKey === null) {
        let k = i;
        while (k < text.length && /\s/.test(text[k] ?? "")) k += 1;
        if (text[k] === ":") {
          const key = JSON.parse(raw) as string;
          if (top.keys.has(key)) return join(top.path, key);
          top.keys.add(key);
          top.pendingKey = key;
          i = k + 1;
        }
      }
      continue;
    }
    if (ch === "{" || ch === "[") {
      const path = childPath(stack[stack.length - 1]);
      stack.push(
        ch === "{"
          ? { kind: "object", keys: new Set(), path, pendingKey: null }
          : { kind: "array", path, index: 0 },
      );
    } else if (ch === "}" || ch === "]") {
      stack.pop();
    } else if (ch === ",") {
      const top = stack[stack.length - 1];
      if (top?.kind === "object") top.pendingKey = null;
      else if (top?.kind === "array") top.index += 1;
    }
    i += 1;
  }
  return null;
}

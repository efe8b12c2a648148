/** Saves something made in the browser as a file on this device: an `<a download>` click, never an upload. */

/** Offers `blob` as a download named `fileName`. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the next task; the URL is then no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-safe form of a name, with the local date and time: "Ada-2026-11-29-1504". */
export function datedFileName(name: string, extension: string, now = new Date()): string {
  const safe = name.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'screen';
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  return `${safe}-${stamp}.${extension}`;
}

/**
 * Which characters text people see may hold, for text that crosses the wire. The character set is
 * the one the server refuses in names (`server/http/schemas.ts`). Pure: no DOM, no Node types.
 */

/** A UTF-16 surrogate without its other half: not text, and shown as garbage (or not at all). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Characters a name or title cannot show: controls, format characters (zero-width spaces and
 * joiners, direction overrides), private-use and unassigned code points, line and paragraph
 * separators, and letters that render as blank (Hangul fillers, braille blank, combining grapheme joiner).
 */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u034F\u115F\u1160\u2800\u3164\uFFA0]/u;

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const INVISIBLES = new RegExp(INVISIBLE.source, 'gu');

/**
 * Text that nobody in the room wrote (a web page's title) made fit to show: lone surrogates and
 * invisible characters removed rather than refused (the page, not the student, put them there),
 * runs of white space made one space, NFC, trimmed, and at most `max` UTF-16 units, cut with "…".
 */
export function visibleText(text: string, max: number): string {
  const clean = text
    .replace(LONE_SURROGATES, '')
    .replace(/\s+/gu, ' ')
    .replace(INVISIBLES, '')
    .normalize('NFC')
    .replace(/ {2,}/g, ' ')
    .trim();
  return clip(clean, max);
}

/** `text` if it has at most `max` UTF-16 units, else its start (never half a surrogate pair) and "…". */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

// OVS text (flows, actions, datapath actions) nests: `ct(commit,nat(dst=10.0.0.1:80))`,
// `load:0x1->NXM_NX_REG0[16]`, `in_port="a,b"`. Splitting it needs to skip separators inside
// parentheses, brackets, braces and double quotes; these two helpers are the only place that
// knows how. Both take a fast path when the text has no nesting at all (most match fields),
// since dumps of 100,000 flows go through here.

const NESTING = /[([{"]/;

/**
 * Index of the first top-level character at or after `from` for which `stop(i)` is true, or -1.
 * Characters inside (), [], {} or "…" (with \-escapes) are skipped.
 */
function scanTopLevel(text: string, from: number, stop: (i: number) => boolean): number {
  let depth = 0;
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) quoted = false;
    } else if (c === 0x22) quoted = true;
    else if (c === 0x28 || c === 0x5b || c === 0x7b /* ( [ { */) depth++;
    else if (c === 0x29 || c === 0x5d || c === 0x7d /* ) ] } */) depth = Math.max(0, depth - 1);
    else if (depth === 0 && stop(i)) return i;
  }
  return -1;
}

const separatorRegExps = new Map<string, RegExp>();

/** `[…]+` matching a run of the given separator characters, built once per set. */
function separatorRegExp(separators: string): RegExp {
  let re = separatorRegExps.get(separators);
  if (re === undefined) {
    re = new RegExp(`[${separators.replace(/[\\\]^-]/g, '\\$&')}]+`);
    separatorRegExps.set(separators, re);
  }
  return re;
}

/** Splits at top-level occurrences of any character in `separators`; empty pieces are dropped. */
export function splitTopLevel(text: string, separators: string): string[] {
  if (!NESTING.test(text)) return text.split(separatorRegExp(separators)).filter((p) => p !== '');
  const parts: string[] = [];
  const isSeparator = (i: number): boolean => separators.includes(text[i]);
  let start = 0;
  for (
    let i = scanTopLevel(text, 0, isSeparator);
    i >= 0;
    i = scanTopLevel(text, i + 1, isSeparator)
  ) {
    if (i > start) parts.push(text.slice(start, i));
    start = i + 1;
  }
  if (start < text.length) parts.push(text.slice(start));
  return parts;
}

/**
 * Index of the first top-level `word` that starts a token (at the start of `text` or after a
 * space or comma), or -1.
 */
export function indexOfTopLevelWord(text: string, word: string): number {
  const startsToken = (i: number): boolean => i === 0 || text[i - 1] === ' ' || text[i - 1] === ',';
  const first = text.indexOf(word);
  if (first >= 0 && startsToken(first) && !NESTING.test(text.slice(0, first))) return first;
  return scanTopLevel(text, 0, (i) => startsToken(i) && text.startsWith(word, i));
}

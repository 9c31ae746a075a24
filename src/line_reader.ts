/**
 * Splits a stream of bytes into text lines: UTF-8 decoded (invalid bytes
 * become U+FFFD), a leading BOM dropped, CRLF accepted, over-long lines
 * skipped rather than held in memory.
 *
 * @module
 */

import { openRead, readChunks } from "./runtime.ts";

/** Lines longer than this (in UTF-16 code units) are skipped: 64 Mi. */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** One line of a file. */
export interface Line {
  /** The line's text without its line break; empty when `tooLong`. */
  text: string;
  /** 1-based line number. */
  number: number;
  /** Whether the line ended with a line break (the last line of a cut-off file does not). */
  terminated: boolean;
  /** Whether the line was longer than the limit and its text dropped. */
  tooLong: boolean;
}

/** Options of {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Skip lines longer than this many characters. @default {64 Mi} */
  maxLine?: number;
  /** Start reading at this byte offset. @default {0} */
  start?: number;
}

/** Reads a file line by line, in bounded memory. */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  yield* splitLines(readChunks(path, 256 * 1024, options.start ?? 0), options.maxLine);
}

/** Splits byte chunks into lines. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLine: number = DEFAULT_MAX_LINE,
): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  let carry = "";
  let number = 0;
  let skipping = false; // inside an over-long line
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    while (true) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) break;
      number++;
      if (skipping) {
        skipping = false;
        carry = "";
        yield { text: "", number, terminated: true, tooLong: true };
      } else {
        let line = carry.length === 0 ? text.slice(start, newline) : carry + text.slice(start, newline);
        carry = "";
        if (line.length > maxLine) {
          yield { text: "", number, terminated: true, tooLong: true };
        } else {
          if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
          yield { text: line, number, terminated: true, tooLong: false };
        }
      }
      start = newline + 1;
    }
    if (!skipping) {
      carry = carry.length === 0 ? text.slice(start) : carry + text.slice(start);
      if (carry.length > maxLine) {
        skipping = true;
        carry = "";
      }
    }
  }
  const rest = decoder.decode();
  if (!skipping) carry += rest;
  if (skipping) {
    yield { text: "", number: number + 1, terminated: false, tooLong: true };
  } else if (carry.length > 0) {
    if (carry.charCodeAt(carry.length - 1) === 13) carry = carry.slice(0, -1);
    yield { text: carry, number: number + 1, terminated: false, tooLong: false };
  }
}

/**
 * Calls `onLine` with each line of a file, synchronously, in bounded memory:
 * the same lines as {@linkcode readLines}, without a promise per line (the
 * fast path of `ai-trace stats`).
 */
export function forEachLineSync(path: string, onLine: (line: Line) => void, options: ReadLinesOptions = {}): void {
  const maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
  const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  const file = openRead(path);
  const buffer = new Uint8Array(256 * 1024);
  let position = options.start ?? 0;
  let carry = "";
  let number = 0;
  let skipping = false; // inside an over-long line
  try {
    while (true) {
      const n = file.read(buffer, position);
      if (n === 0) break;
      position += n;
      const text = decoder.decode(buffer.subarray(0, n), { stream: true });
      let start = 0;
      while (true) {
        const newline = text.indexOf("\n", start);
        if (newline === -1) break;
        number++;
        if (skipping) {
          skipping = false;
          carry = "";
          onLine({ text: "", number, terminated: true, tooLong: true });
        } else {
          let line = carry.length === 0 ? text.slice(start, newline) : carry + text.slice(start, newline);
          carry = "";
          if (line.length > maxLine) onLine({ text: "", number, terminated: true, tooLong: true });
          else {
            if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
            onLine({ text: line, number, terminated: true, tooLong: false });
          }
        }
        start = newline + 1;
      }
      if (!skipping) {
        carry = carry.length === 0 ? text.slice(start) : carry + text.slice(start);
        if (carry.length > maxLine) {
          skipping = true;
          carry = "";
        }
      }
    }
  } finally {
    file.close();
  }
  const rest = decoder.decode();
  if (!skipping) carry += rest;
  if (skipping) onLine({ text: "", number: number + 1, terminated: false, tooLong: true });
  else if (carry.length > 0) {
    if (carry.charCodeAt(carry.length - 1) === 13) carry = carry.slice(0, -1);
    onLine({ text: carry, number: number + 1, terminated: false, tooLong: false });
  }
}

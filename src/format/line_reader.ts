/**
 * Splits a stream of bytes into text lines: UTF-8 decoded (invalid bytes
 * become U+FFFD), a leading BOM dropped, CRLF accepted, over-long lines
 * skipped rather than held in memory.
 *
 * @module
 */

import { openRead, readChunks } from "../runtime.ts";

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

/**
 * Splits bytes into lines, chunk by chunk: the one place that knows about
 * line breaks, UTF-8 across chunk edges, CRLF and over-long lines.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
  readonly #maxLine: number;
  #carry = "";
  #number = 0;
  #skipping = false; // inside an over-long line

  /** @param maxLine lines longer than this many characters are skipped. */
  constructor(maxLine: number = DEFAULT_MAX_LINE) {
    this.#maxLine = maxLine;
  }

  /** Feeds a chunk of bytes; `onLine` gets each line it completes. */
  push(chunk: Uint8Array, onLine: (line: Line) => void): void {
    const text = this.#decoder.decode(chunk, { stream: true });
    let start = 0;
    while (true) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) break;
      const number = ++this.#number;
      if (this.#skipping) {
        this.#skipping = false;
        this.#carry = "";
        onLine({ text: "", number, terminated: true, tooLong: true });
      } else {
        const line = this.#carry.length === 0 ? text.slice(start, newline) : this.#carry + text.slice(start, newline);
        this.#carry = "";
        if (line.length > this.#maxLine) onLine({ text: "", number, terminated: true, tooLong: true });
        else onLine({ text: withoutCR(line), number, terminated: true, tooLong: false });
      }
      start = newline + 1;
    }
    if (!this.#skipping) {
      this.#carry = this.#carry.length === 0 ? text.slice(start) : this.#carry + text.slice(start);
      if (this.#carry.length > this.#maxLine) {
        this.#skipping = true;
        this.#carry = "";
      }
    }
  }

  /** Ends the input; `onLine` gets the last line if it had no line break. */
  end(onLine: (line: Line) => void): void {
    const rest = this.#decoder.decode();
    const number = this.#number + 1;
    if (this.#skipping) {
      onLine({ text: "", number, terminated: false, tooLong: true });
    } else if (this.#carry.length + rest.length > 0) {
      onLine({ text: withoutCR(this.#carry + rest), number, terminated: false, tooLong: false });
    }
    this.#carry = "";
  }
}

function withoutCR(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** Splits byte chunks into lines. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  maxLine: number = DEFAULT_MAX_LINE,
): AsyncGenerator<Line> {
  const splitter = new LineSplitter(maxLine);
  const lines: Line[] = [];
  const collect = (line: Line) => lines.push(line);
  for await (const chunk of chunks) {
    splitter.push(chunk, collect);
    yield* lines;
    lines.length = 0;
  }
  splitter.end(collect);
  yield* lines;
}

/**
 * Calls `onLine` with each line of a file, synchronously, in bounded memory:
 * the same lines as {@linkcode readLines}, without a promise per line (the
 * fast path of `ai-trace stats`).
 */
export function forEachLineSync(path: string, onLine: (line: Line) => void, options: ReadLinesOptions = {}): void {
  const splitter = new LineSplitter(options.maxLine);
  const file = openRead(path);
  const buffer = new Uint8Array(256 * 1024);
  let position = options.start ?? 0;
  try {
    while (true) {
      const n = file.read(buffer, position);
      if (n === 0) break;
      position += n;
      splitter.push(buffer.subarray(0, n), onLine);
    }
  } finally {
    file.close();
  }
  splitter.end(onLine);
}

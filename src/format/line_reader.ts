/**
 * The one line reader under every reader (`readSession`, `stats`, `tail`, the
 * tracer's own reports): a file read chunk by chunk from a byte position and
 * split into text lines — UTF-8 decoded (invalid bytes become U+FFFD), a
 * leading BOM dropped, CRLF accepted, over-long lines skipped rather than
 * held in memory.
 *
 * @module
 */

import { openRead, type ReadFile } from "../runtime.ts";

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

const CHUNK = 256 * 1024;

/**
 * Reads a file's lines chunk by chunk from a byte position, in bounded memory
 * (one chunk and one line): the chunk loop that every reader shares. It can
 * be read again later for what was appended since (`tail`).
 */
export class LineReader {
  /** The file. */
  readonly path: string;
  readonly #maxLine: number | undefined;
  #position: number;
  #splitter: LineSplitter;
  #buffer: Uint8Array | undefined;

  /**
   * @param path the file.
   * @param options where to start, and the longest line kept.
   */
  constructor(path: string, options: ReadLinesOptions = {}) {
    this.path = path;
    this.#maxLine = options.maxLine;
    this.#position = options.start ?? 0;
    this.#splitter = new LineSplitter(options.maxLine);
  }

  /** Bytes of the file read so far (from its start). */
  get position(): number {
    return this.#position;
  }

  /**
   * Reads one chunk of `file` at the current position; `onLine` gets each
   * line it completes.
   *
   * @returns `false` when there was nothing more to read.
   */
  pull(file: ReadFile, onLine: (line: Line) => void): boolean {
    const buffer = this.#buffer ??= new Uint8Array(CHUNK);
    const n = file.read(buffer, this.#position);
    if (n === 0) return false;
    this.#position += n;
    this.#splitter.push(buffer.subarray(0, n), onLine);
    return true;
  }

  /**
   * Reads everything the file holds past the current position; `onLine`
   * gets each whole line (an unterminated last line waits for {@linkcode end}
   * or for its line break in a later read).
   *
   * @throws {NotFoundError} / {PermissionError} when the file cannot be opened.
   */
  read(onLine: (line: Line) => void): void {
    const file = openRead(this.path);
    try {
      while (this.pull(file, onLine));
    } finally {
      file.close();
    }
  }

  /** Ends the input: `onLine` gets the last line if it had no line break. */
  end(onLine: (line: Line) => void): void {
    this.#splitter.end(onLine);
  }

  /** Starts over from the file's first byte (it was truncated or replaced). */
  restart(): void {
    this.#position = 0;
    this.#splitter = new LineSplitter(this.#maxLine);
  }
}

/** Reads a file line by line, in bounded memory, one chunk per turn of the event loop. */
export async function* readLines(path: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const reader = new LineReader(path, options);
  const lines: Line[] = [];
  const collect = (line: Line) => lines.push(line);
  const file = openRead(path);
  try {
    while (reader.pull(file, collect)) {
      yield* lines;
      lines.length = 0;
    }
  } finally {
    file.close();
  }
  reader.end(collect);
  yield* lines;
}

/**
 * Calls `onLine` with each line of a file, synchronously, in bounded memory:
 * the same lines as {@linkcode readLines}, without a promise per line (the
 * fast path of `ai-trace stats`).
 */
export function forEachLineSync(path: string, onLine: (line: Line) => void, options: ReadLinesOptions = {}): void {
  const reader = new LineReader(path, options);
  reader.read(onLine);
  reader.end(onLine);
}

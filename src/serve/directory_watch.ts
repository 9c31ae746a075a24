/**
 * Notices what changed in a trace directory: files that appeared, grew,
 * shrank or went away, by polling their sizes and modification times (no
 * file-system events: they differ per platform and miss appends over NFS).
 * Polling runs only while someone listens.
 *
 * @module
 */

import { listTraceFiles } from "../read/trace_dir.ts";

/** What changed between two looks at the directory: file names. */
export interface DirectoryChange {
  /** Files that were not there before. */
  added: string[];
  /** Files whose size or modification time changed. */
  changed: string[];
  /** Files that are gone. */
  removed: string[];
}

/** Polls a trace directory while it has listeners. */
export class DirectoryWatch {
  readonly #dir: string;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(change: DirectoryChange) => void>();
  #seen = new Map<string, string>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * @param dir The trace directory.
   * @param intervalMs How often to look, in milliseconds.
   */
  constructor(dir: string, intervalMs = 250) {
    this.#dir = dir;
    this.#intervalMs = intervalMs;
  }

  /**
   * Calls `listener` with every change from now on, until the returned
   * function is called.
   *
   * @param listener Called with each change.
   * @returns A function that stops the calls.
   */
  listen(listener: (change: DirectoryChange) => void): () => void {
    if (this.#listeners.size === 0) {
      this.#seen = this.#look();
      this.#timer = setInterval(() => this.#poll(), this.#intervalMs);
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.stop();
    };
  }

  /** Stops polling and forgets every listener. */
  stop(): void {
    this.#listeners.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #look(): Map<string, string> {
    const now = new Map<string, string>();
    try {
      for (const file of listTraceFiles(this.#dir).files) now.set(file.name, `${file.size}:${file.mtimeMs}`);
    } catch {
      // The directory is gone or unreadable for now: everything in it is gone.
    }
    return now;
  }

  #poll(): void {
    const now = this.#look();
    const change: DirectoryChange = { added: [], changed: [], removed: [] };
    for (const [name, signature] of now) {
      const before = this.#seen.get(name);
      if (before === undefined) change.added.push(name);
      else if (before !== signature) change.changed.push(name);
    }
    for (const name of this.#seen.keys()) if (!now.has(name)) change.removed.push(name);
    this.#seen = now;
    if (change.added.length + change.changed.length + change.removed.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // One listener's failure (a closed connection) does not stop the others.
      }
    }
  }
}

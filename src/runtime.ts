/**
 * The runtime seam: every file-system call, environment read and process
 * hook of ai-trace goes through this module. On Deno it uses Deno's own APIs
 * (`Deno.openSync`, `FsFile.writeSync`, `Deno.rename`, …); on Bun and Node it
 * uses `node:fs`. Nothing else in `src/` touches `Deno.*` or `node:fs`.
 *
 * Errors are mapped onto one set of classes ({@linkcode NotFoundError},
 * {@linkcode AlreadyExistsError}, {@linkcode PermissionError}) so callers write
 * one `instanceof` check whatever the runtime.
 *
 * @module
 */

import * as nodeChildProcess from "node:child_process";
import * as nodeFs from "node:fs";
import * as nodeOs from "node:os";
import process from "node:process";

// The few parts of the Deno namespace used here, declared so that this file
// type-checks under tsc and Bun as well as Deno.
interface DenoFsFile {
  writeSync(p: Uint8Array): number;
  readSync(p: Uint8Array): number | null;
  seekSync(offset: number, whence: number): number;
  syncSync(): void;
  close(): void;
}
interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  isFifo?: boolean | null;
  isCharDevice?: boolean | null;
  isBlockDevice?: boolean | null;
  isSocket?: boolean | null;
  size: number;
  mtime: Date | null;
  mode: number | null;
  dev?: number | null;
  ino?: number | null;
}
interface DenoWatcher extends AsyncIterable<{ kind: string; paths: string[] }> {
  close(): void;
}
interface DenoNamespace {
  version: { deno: string };
  pid: number;
  build: { os: string };
  env: { get(name: string): string | undefined };
  openSync(
    path: string,
    options: {
      read?: boolean;
      write?: boolean;
      append?: boolean;
      create?: boolean;
      createNew?: boolean;
      truncate?: boolean;
      mode?: number;
    },
  ): DenoFsFile;
  mkdirSync(path: string, options: { recursive?: boolean; mode?: number }): void;
  renameSync(from: string, to: string): void;
  removeSync(path: string): void;
  statSync(path: string): DenoFileInfo;
  lstatSync(path: string): DenoFileInfo;
  chmodSync(path: string, mode: number): void;
  readDirSync(path: string): Iterable<{ name: string; isFile: boolean; isDirectory: boolean; isSymlink: boolean }>;
  readTextFileSync(path: string): string;
  watchFs(paths: string, options?: { recursive: boolean }): DenoWatcher;
  hostname(): string;
  stdout: { isTerminal(): boolean; writeSync(p: Uint8Array): number };
  stderr: { isTerminal(): boolean; writeSync(p: Uint8Array): number };
  errors: {
    NotFound: new () => Error;
    AlreadyExists: new () => Error;
    PermissionDenied: new () => Error;
    IsADirectory?: new () => Error;
  };
}

const deno: DenoNamespace | undefined = (globalThis as { Deno?: DenoNamespace }).Deno;

/**
 * A file or directory that should exist does not (ENOENT on Node and Bun,
 * `Deno.errors.NotFound` on Deno).
 *
 * @example Tell a missing trace from a broken one
 * ```ts
 * import { NotFoundError, readSession } from "@ai-trace/core";
 *
 * try {
 *   await readSession("no/such/file.jsonl");
 * } catch (err) {
 *   console.assert(err instanceof NotFoundError);
 * }
 * ```
 */
export class NotFoundError extends Error {
  /** The path that was not found. */
  path: string;
  /** Makes the error for `path`; `options.cause` keeps the runtime's own error. */
  constructor(path: string, options?: ErrorOptions) {
    super(`No such file or directory "${path}"`, options);
    this.name = "NotFoundError";
    this.path = path;
  }
}

/** A file that should be new exists already. */
export class AlreadyExistsError extends Error {
  /** The path that exists. */
  path: string;
  constructor(path: string, options?: ErrorOptions) {
    super(`File exists "${path}"`, options);
    this.name = "AlreadyExistsError";
    this.path = path;
  }
}

/**
 * The operating system refused access (EACCES or EPERM on Node and Bun,
 * `Deno.errors.PermissionDenied` on Deno).
 *
 * @example Report an unreadable trace
 * ```ts
 * import { PermissionError, readSession } from "@ai-trace/core";
 *
 * async function open(path: string) {
 *   try {
 *     return await readSession(path);
 *   } catch (err) {
 *     if (err instanceof PermissionError) console.error(`No permission to read ${err.path}`);
 *     throw err;
 *   }
 * }
 * console.assert(typeof open === "function");
 * ```
 */
export class PermissionError extends Error {
  /** The path that could not be accessed. */
  path: string;
  /** Makes the error for `path`; `options.cause` keeps the runtime's own error. */
  constructor(path: string, options?: ErrorOptions) {
    super(`Permission denied "${path}"`, options);
    this.name = "PermissionError";
    this.path = path;
  }
}

/** Maps a runtime's own error onto the classes above; other errors pass through. */
export function mapError(err: unknown, path: string): unknown {
  if (deno) {
    if (err instanceof deno.errors.NotFound) return new NotFoundError(path, { cause: err });
    if (err instanceof deno.errors.AlreadyExists) return new AlreadyExistsError(path, { cause: err });
    if (err instanceof deno.errors.PermissionDenied) return new PermissionError(path, { cause: err });
  }
  const code = (err as { code?: string } | null)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return new NotFoundError(path, { cause: err });
  if (code === "EEXIST") return new AlreadyExistsError(path, { cause: err });
  if (code === "EACCES" || code === "EPERM") return new PermissionError(path, { cause: err });
  return err;
}

function mapped<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw mapError(err, path);
  }
}

const encoder = new TextEncoder();

/** A file opened for appending whole lines. */
export interface AppendFile {
  /** Appends `text` with one write call (looping only on a short write). */
  write(text: string): void;
  /** Flushes the file to the disk (fsync). */
  sync(): void;
  /** Closes the file; later writes throw. */
  close(): void;
}

/**
 * Creates a new file (failing with {@linkcode AlreadyExistsError} when it
 * exists) and opens it for appending.
 */
export function createAppendFile(path: string, mode = 0o600): AppendFile {
  let writeBytes: (bytes: Uint8Array) => number;
  let sync: () => void;
  let close: () => void;
  if (deno) {
    const file = mapped(path, () => deno.openSync(path, { append: true, createNew: true, mode }));
    writeBytes = (bytes) => file.writeSync(bytes);
    sync = () => file.syncSync();
    close = () => file.close();
  } else {
    const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND } = nodeFs.constants;
    const fd = mapped(path, () => nodeFs.openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND, mode));
    writeBytes = (bytes) => nodeFs.writeSync(fd, bytes);
    sync = () => nodeFs.fsyncSync(fd);
    close = () => nodeFs.closeSync(fd);
  }
  // One reusable buffer: the common line is encoded without allocating, and
  // a short write is seen in bytes, whatever the text holds.
  let buffer = new Uint8Array(16 * 1024);
  return {
    write(text: string): void {
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      if (text.length * 3 > buffer.length) buffer = new Uint8Array(text.length * 3 + 1024);
      const { written } = encoder.encodeInto(text, buffer);
      try {
        let offset = writeBytes(written === buffer.length ? buffer : buffer.subarray(0, written));
        while (offset < written) {
          const n = writeBytes(buffer.subarray(offset, written));
          if (n <= 0) throw new Error(`Short write to "${path}": ${offset} of ${written} bytes`);
          offset += n;
        }
      } catch (err) {
        throw mapError(err, path);
      }
    },
    sync: () => mapped(path, sync),
    close,
  };
}

/** Creates a directory and its parents; new directories get `mode`. */
export function makeDir(path: string, mode = 0o700): void {
  if (deno) mapped(path, () => deno.mkdirSync(path, { recursive: true, mode }));
  else mapped(path, () => nodeFs.mkdirSync(path, { recursive: true, mode }));
}

/**
 * Writes `text` to `path` atomically: a temporary file in the same directory,
 * flushed to disk, then renamed over `path`. Readers see the old file or the
 * new one, never a part.
 *
 * Only a regular file (or nothing) is replaced so: when `path` is, or links
 * to, something else that can be written — a character device such as
 * `/dev/null`, a FIFO, `/dev/stdout` — the text is written into it, and the
 * device, pipe or link stays what it was.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode = 0o600): void {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  let special = false;
  try {
    const info = statPath(path);
    special = !info.isFile && !info.isDirectory;
  } catch {
    // Nothing there (or a dangling link): a new file, as usual.
  }
  if (special) return writeInPlace(path, bytes);
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    if (deno) {
      const file = mapped(tmp, () => deno.openSync(tmp, { write: true, createNew: true, mode }));
      try {
        let offset = 0;
        while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
        file.syncSync();
      } finally {
        file.close();
      }
      mapped(path, () => deno.renameSync(tmp, path));
    } else {
      const fd = mapped(tmp, () => nodeFs.openSync(tmp, "wx", mode));
      try {
        let offset = 0;
        while (offset < bytes.length) offset += nodeFs.writeSync(fd, bytes, offset);
        nodeFs.fsyncSync(fd);
      } finally {
        nodeFs.closeSync(fd);
      }
      mapped(path, () => nodeFs.renameSync(tmp, path));
    }
  } catch (err) {
    try {
      removeFile(tmp);
    } catch {
      // The temporary file was never created, or is gone already.
    }
    throw mapError(err, path);
  }
}

// Opens an existing device, FIFO or link to one for writing (never creating,
// never renaming) and writes all of `bytes`.
function writeInPlace(path: string, bytes: Uint8Array): void {
  if (deno) {
    const file = mapped(path, () => deno.openSync(path, { write: true }));
    try {
      let offset = 0;
      while (offset < bytes.length) offset += mapped(path, () => file.writeSync(bytes.subarray(offset)));
    } finally {
      file.close();
    }
    return;
  }
  const fd = mapped(path, () => nodeFs.openSync(path, nodeFs.constants.O_WRONLY));
  try {
    let offset = 0;
    while (offset < bytes.length) offset += mapped(path, () => nodeFs.writeSync(fd, bytes, offset));
  } finally {
    nodeFs.closeSync(fd);
  }
}

/** Deletes a file. */
export function removeFile(path: string): void {
  if (deno) mapped(path, () => deno.removeSync(path));
  else mapped(path, () => nodeFs.unlinkSync(path));
}

/** What kind of entry a path is. */
export type PathKind = "file" | "directory" | "fifo" | "character device" | "block device" | "socket" | "other";

/** What {@linkcode statPath} tells of a path. */
export interface PathInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** What it is: a FIFO or a device must never be opened as a trace (a FIFO's open blocks). */
  kind: PathKind;
  /** Size in bytes. */
  size: number;
  /** Last modification, epoch milliseconds. */
  mtimeMs: number;
  /** Permission bits (`0o777` and above), or `null` where the system has none (Windows). */
  mode: number | null;
  /**
   * Which file this is: device and inode numbers, so that a file replaced
   * under the same name is told apart; `""` where the system does not say.
   */
  identity: string;
}

function denoPathInfo(info: DenoFileInfo): PathInfo {
  const kind: PathKind = info.isFile
    ? "file"
    : info.isDirectory
    ? "directory"
    : info.isFifo
    ? "fifo"
    : info.isCharDevice
    ? "character device"
    : info.isBlockDevice
    ? "block device"
    : info.isSocket
    ? "socket"
    : "other";
  return {
    isFile: info.isFile,
    isDirectory: info.isDirectory,
    kind,
    size: info.size,
    mtimeMs: info.mtime?.getTime() ?? 0,
    mode: info.mode,
    identity: info.ino === null || info.ino === undefined ? "" : `${info.dev ?? 0}:${info.ino}`,
  };
}

function nodePathInfo(info: nodeFs.Stats): PathInfo {
  const kind: PathKind = info.isFile()
    ? "file"
    : info.isDirectory()
    ? "directory"
    : info.isFIFO()
    ? "fifo"
    : info.isCharacterDevice()
    ? "character device"
    : info.isBlockDevice()
    ? "block device"
    : info.isSocket()
    ? "socket"
    : "other";
  return {
    isFile: info.isFile(),
    isDirectory: info.isDirectory(),
    kind,
    size: info.size,
    mtimeMs: info.mtimeMs,
    mode: process.platform === "win32" ? null : info.mode,
    identity: info.ino ? `${info.dev}:${info.ino}` : "",
  };
}

/** Tells what `path` is (following links); throws {@linkcode NotFoundError}. */
export function statPath(path: string): PathInfo {
  if (deno) return denoPathInfo(mapped(path, () => deno.statSync(path)));
  return nodePathInfo(mapped(path, () => nodeFs.statSync(path)));
}

/** Tells what `path` itself is, not following a symbolic link; throws {@linkcode NotFoundError}. */
export function linkStatPath(path: string): PathInfo & { isSymlink: boolean } {
  if (deno) {
    const info = mapped(path, () => deno.lstatSync(path));
    return { ...denoPathInfo(info), isSymlink: info.isSymlink };
  }
  const info = mapped(path, () => nodeFs.lstatSync(path));
  return { ...nodePathInfo(info), isSymlink: info.isSymbolicLink() };
}

/** The names of the entries of a directory. */
export function listDir(path: string): string[] {
  if (deno) return mapped(path, () => Array.from(deno.readDirSync(path), (entry) => entry.name));
  return mapped(path, () => nodeFs.readdirSync(path));
}

/** Reads a whole file as UTF-8 text. */
export function readTextFile(path: string): string {
  if (deno) return mapped(path, () => deno.readTextFileSync(path));
  return mapped(path, () => nodeFs.readFileSync(path, "utf8"));
}

/** A file opened for reading in chunks from any offset. */
export interface ReadFile {
  /** Reads up to `buffer.length` bytes at `position`; 0 at the end. */
  read(buffer: Uint8Array, position: number): number;
  /** Closes the file. */
  close(): void;
}

/** Opens a file for reading. */
export function openRead(path: string): ReadFile {
  if (deno) {
    const file = mapped(path, () => deno.openSync(path, { read: true }));
    return {
      read(buffer: Uint8Array, position: number): number {
        file.seekSync(position, 0);
        return mapped(path, () => file.readSync(buffer)) ?? 0;
      },
      close: () => file.close(),
    };
  }
  const fd = mapped(path, () => nodeFs.openSync(path, "r"));
  return {
    read: (buffer, position) => mapped(path, () => nodeFs.readSync(fd, buffer, 0, buffer.length, position)),
    close: () => nodeFs.closeSync(fd),
  };
}

/** A watch on a directory: wakes `onChange` on any change below it. */
export interface Watch {
  /** Stops watching. */
  close(): void;
}

/**
 * Watches `path` (a file or directory) and calls `onChange` when something
 * in it changes. Returns `undefined` when the platform cannot watch; callers
 * then poll.
 */
export function watchPath(path: string, onChange: () => void): Watch | undefined {
  try {
    if (deno) {
      const watcher = deno.watchFs(path, { recursive: false });
      (async () => {
        try {
          for await (const _event of watcher) onChange();
        } catch {
          // The watcher was closed or the path went away: polling covers it.
        }
      })();
      return { close: () => watcher.close() };
    }
    const watcher = nodeFs.watch(path, { persistent: true }, () => onChange());
    watcher.on("error", () => {});
    return { close: () => watcher.close() };
  } catch {
    return undefined;
  }
}

/** Reads an environment variable; `undefined` when unset or not allowed. */
export function env(name: string): string | undefined {
  try {
    return deno ? deno.env.get(name) : process.env[name];
  } catch {
    return undefined;
  }
}

/** The runtime's name and version, as written in the `session` line. */
export function runtimeInfo(): { name: string; version: string } {
  if (deno) return { name: "deno", version: deno.version.deno };
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun) return { name: "bun", version: versions.bun };
  return { name: "node", version: process.versions.node };
}

/** This process's id. */
export function pid(): number {
  return deno ? deno.pid : process.pid;
}

/** This machine's host name. */
export function hostname(): string {
  try {
    return deno ? deno.hostname() : nodeOs.hostname();
  } catch {
    return "";
  }
}

/** Whether a process with this id runs on this machine. */
export function isProcessAlive(id: number): boolean {
  // 0 and negative ids name process groups (-1: every process), and signalling them succeeds: no single writer.
  if (!Number.isSafeInteger(id) || id <= 0) return false;
  try {
    process.kill(id, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as { code?: string }).code === "EPERM";
  }
}

/** Whether standard output is a terminal. */
export function stdoutIsTerminal(): boolean {
  try {
    return deno ? deno.stdout.isTerminal() : Boolean(process.stdout.isTTY);
  } catch {
    return false;
  }
}

/** Writes text to standard error, synchronously. */
export function writeStderr(text: string): void {
  try {
    if (deno) deno.stderr.writeSync(encoder.encode(text));
    else nodeFs.writeSync(2, text);
  } catch {
    // Standard error is closed: nothing more can be said.
  }
}

/** Writes text (as UTF-8) or bytes (as they are) to standard output, synchronously. */
export function writeStdout(text: string | Uint8Array): void {
  const bytes = typeof text === "string" ? encoder.encode(text) : text;
  if (deno) {
    let offset = 0;
    while (offset < bytes.length) offset += deno.stdout.writeSync(bytes.subarray(offset));
  } else {
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += nodeFs.writeSync(1, bytes, offset);
      } catch (err) {
        // A non-blocking pipe that is full: try again.
        if ((err as { code?: string }).code !== "EAGAIN") throw err;
      }
    }
  }
}

/**
 * Runs `fn` once when the process ends normally (the event loop drains or
 * `exit()` is called). Synchronous work only.
 */
export function onExit(fn: () => void): void {
  if (deno) globalThis.addEventListener("unload", fn);
  else process.on("exit", fn);
}

/**
 * How a process is about to end abnormally: of a signal, or of an uncaught
 * error. `final` is false where the program may still handle the error after
 * it was reported (a Deno `error` or `unhandledrejection` listener added later
 * can still call `preventDefault()`).
 */
export type FatalEnd = { signal: string; final: true } | { error: unknown; final: boolean };

// Signals whose default action ends the process, with their numbers (exit code 128 + n).
const FATAL_SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

// Deno signal listeners the program added itself (counted through a wrapper of
// `Deno.addSignalListener`, since Deno cannot list them).
const programSignalListeners = new Map<string, number>();

function wrapDenoSignalApi(): void {
  if (denoAddSignal !== undefined) return;
  const api = deno as unknown as {
    addSignalListener?: (signal: string, handler: () => void) => void;
    removeSignalListener?: (signal: string, handler: () => void) => void;
  };
  const add = api.addSignalListener;
  const remove = api.removeSignalListener;
  if (typeof add !== "function" || typeof remove !== "function") return;
  try {
    api.addSignalListener = function (signal: string, handler: () => void): void {
      add.call(this, signal, handler);
      programSignalListeners.set(signal, (programSignalListeners.get(signal) ?? 0) + 1);
    };
    api.removeSignalListener = function (signal: string, handler: () => void): void {
      remove.call(this, signal, handler);
      programSignalListeners.set(signal, Math.max(0, (programSignalListeners.get(signal) ?? 0) - 1));
    };
  } catch {
    // A frozen Deno namespace: only `process.on` handlers are seen.
  }
  // Ours go through the original, uncounted.
  denoAddSignal = (signal, handler) => add.call(api, signal, handler);
}
let denoAddSignal: ((signal: string, handler: () => void) => void) | undefined;
// Counting starts when this module loads, not when the first Tracer is made: a program that imports ai-trace
// and then adds its own signal listener, before or after creating a Tracer, keeps that signal to itself.
// (A listener added by a module evaluated before this one cannot be seen; Deno has no way to list them.)
if (deno) wrapDenoSignalApi();

/**
 * Runs `fn` (synchronous work only) when the process is about to die of a
 * signal it does not handle itself (SIGINT, SIGTERM, SIGHUP) or of an uncaught
 * error, and then lets it die as it would have.
 *
 * The program's behaviour does not change: a signal is caught only while the
 * program has no handler of its own for it (checked when the signal comes),
 * and then re-raised (Bun, Node) or ended with the conventional exit code
 * 128 + n (Deno, which cannot restore the default action); an uncaught error
 * is only observed. The listeners keep no event loop alive. Call once.
 */
export function onFatal(fn: (end: FatalEnd) => void): void {
  const run = (end: FatalEnd) => {
    try {
      fn(end);
    } catch {
      // Whatever failed, the process still ends as it would have.
    }
  };
  if (deno) {
    wrapDenoSignalApi();
    const programHandles = (signal: string) =>
      (programSignalListeners.get(signal) ?? 0) > 0 || process.listenerCount(signal) > 0;
    for (const [signal, number] of Object.entries(FATAL_SIGNALS)) {
      if (programHandles(signal)) continue;
      try {
        denoAddSignal?.(signal, () => {
          if (programHandles(signal)) return; // the program took it over: its call
          run({ signal, final: true });
          (deno as unknown as { exit(code: number): never }).exit(128 + number);
        });
      } catch {
        // Not a signal on this platform.
      }
    }
    const uncaught = (event: Event, error: unknown) => {
      if (event.defaultPrevented || process.listenerCount("uncaughtException") > 0) return;
      run({ error, final: false });
    };
    globalThis.addEventListener("error", (event) => uncaught(event, (event as ErrorEvent).error));
    globalThis.addEventListener(
      "unhandledrejection",
      (event) => uncaught(event, (event as PromiseRejectionEvent).reason),
    );
    return;
  }
  for (const [signal, number] of Object.entries(FATAL_SIGNALS)) {
    if (process.listenerCount(signal) > 0) continue;
    const handler = () => {
      if (process.listenerCount(signal) > 1) return; // the program took it over: its call
      process.removeListener(signal, handler);
      run({ signal, final: true });
      process.kill(process.pid, signal);
      process.exit(128 + number); // only reached if the signal did not end the process at once
    };
    try {
      process.on(signal as NodeJS.Signals, handler);
    } catch {
      // Not a signal on this platform.
    }
  }
  process.on("uncaughtExceptionMonitor", (error) => {
    if (process.listenerCount("uncaughtException") > 0) return; // the program handles it
    run({ error, final: true });
  });
}

/**
 * Runs `fn` once the current task is over, if the process lives that long;
 * the timer keeps no event loop alive.
 */
export function afterThisTask(fn: () => void): void {
  const timer = setTimeout(fn, 0) as unknown;
  if (deno) (deno as unknown as { unrefTimer(id: number): void }).unrefTimer(timer as number);
  else (timer as { unref(): void }).unref();
}

/**
 * Opens a file with the desktop's default application (a browser, for an
 * `.html` file): `open` on macOS, `start` on Windows, `xdg-open` elsewhere,
 * or `command` when given (e.g. from `BROWSER`). Resolves once the opener has
 * handed the file on (or is still running after a few seconds, as some do);
 * rejects with a one-line message when there is no opener or it fails.
 * `node:child_process` is built into Deno, Bun and Node alike, so this one
 * path serves all three.
 */
export function openWithDefaultApp(path: string, command?: string): Promise<void> {
  const platform = process.platform;
  const [program, args]: [string, string[]] = command
    ? [command, [path]]
    : platform === "darwin"
    ? ["open", [path]]
    : platform === "win32"
    ? ["cmd", ["/c", "start", '""', `"${path}"`]]
    : ["xdg-open", [path]];
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`Cannot open "${path}": ${why}`));
    let child: ReturnType<typeof nodeChildProcess.spawn>;
    try {
      child = nodeChildProcess.spawn(program, args, {
        stdio: "ignore",
        detached: platform !== "win32",
        windowsVerbatimArguments: !command && platform === "win32",
      });
    } catch (err) {
      fail(`"${program}" could not be started (${(err as Error).message})`);
      return;
    }
    // An opener that stays (a text browser in the terminal, say) is left to run.
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, 3000);
    child.once("error", (err) => {
      clearTimeout(timer);
      const missing = (err as { code?: string }).code === "ENOENT";
      fail(missing ? `no "${program}" to open it with (is there a desktop browser?)` : err.message);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else fail(`"${program}" found no application to open it with (exit code ${code})`);
    });
  });
}

/**
 * The data file of `FileStorageAdapter`: reading and checking `{ "version": 1, "entries": {...} }`, atomic
 * replacement (temporary file, fsync, rename, directory fsync), and `StorageError`s with a hint per errno.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StorageError, StorageErrorCode } from "./storage-error.js";

/** The format version of the data file this package reads and writes. */
export const FILE_FORMAT_VERSION = 1;

/** The `code` of a Node system error (`ENOENT`, ...), if any. */
export const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;

/** The entries of the data file at `path`, or `null` when there is none. Throws `storage_corrupt` / `storage_io`. */
export async function readEntries<T>(path: string): Promise<Map<string, T> | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return null;
    throw ioError("read", path, error);
  }
  const corrupt = (problem: string, cause?: unknown) =>
    new StorageError(StorageErrorCode.Corrupt, `The storage file ${path} is corrupt: ${problem}.`, {
      path,
      hint: `It was left untouched. Restore it from a backup, or delete ${path} (the agent will then have to authenticate again).`,
      cause,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt(text.trim() === "" ? "it is empty" : "it is not valid JSON", error);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw corrupt("not a JSON object");
  const { version, entries } = parsed as { version?: unknown; entries?: unknown };
  if (version !== FILE_FORMAT_VERSION) {
    if (typeof version === "number") {
      throw new StorageError(
        StorageErrorCode.Corrupt,
        `The storage file ${path} has format version ${version}; this version of @lucid-dreams/agent-auth reads version ${FILE_FORMAT_VERSION}.`,
        {
          path,
          hint: `It was probably written by a newer @lucid-dreams/agent-auth: upgrade, or move ${path} away and authenticate again.`,
        },
      );
    }
    throw corrupt('"version" is missing');
  }
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    throw corrupt('"entries" is not a JSON object');
  }
  return new Map(Object.entries(entries) as [string, T][]);
}

/** Creates `dir` (mode 0700) and its parents. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw ioError("create the directory", dir, error);
  }
}

/** Replaces the file at `path` with `data` atomically (readers see the old file or the new one). */
export async function writeAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await ensureDir(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(temp, "wx", 0o600);
    await handle.writeFile(data, "utf8");
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw ioError("write", path, error);
  }
  try {
    const directory = await open(dir, "r");
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {
    // best effort: some platforms cannot open or fsync a directory
  }
}

/** A `storage_io` error for `operation` on `path`, with a hint for the errno. */
export function ioError(operation: string, path: string, cause: unknown): StorageError {
  const dir = dirname(path);
  const code = errorCode(cause);
  const hints: Record<string, string> = {
    EACCES: `Give the agent's user read and write access to ${dir} (keep it private: 0700, files 0600).`,
    EPERM: `Give the agent's user read and write access to ${dir} (keep it private: 0700, files 0600).`,
    ENOSPC: "The disk is full: free some space.",
    EROFS: "The file system is read-only: choose a writable path (option path).",
    ENOTDIR: `A parent of ${path} is not a directory: choose another path (option path).`,
    EISDIR: `${path} is a directory: choose a file path (option path).`,
    EMFILE: "Too many open files in this process: raise the limit or close files.",
  };
  return new StorageError(StorageErrorCode.Io, `Could not ${operation} ${path}${code ? ` (${code})` : ""}.`, {
    path,
    hint: (code && hints[code]) || `Check that ${path} is on a local, writable file system.`,
    retryable: code === "EMFILE" || code === "ENFILE" || code === "EBUSY" || code === "EAGAIN",
    cause,
  });
}

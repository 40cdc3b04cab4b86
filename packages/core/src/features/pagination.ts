import { ErrorCode, McpError } from "../protocol/errors.js";

/** Cursors are opaque to clients; we encode the offset so any instance can continue a listing. */
export function paginate<T>(items: readonly T[], cursor: unknown, limit: number | undefined): { page: T[]; nextCursor?: string } {
  const start = cursor === undefined ? 0 : decodeCursor(cursor);
  if (start > items.length) throw badCursor();
  if (limit === undefined) return { page: start === 0 ? (items as T[]) : items.slice(start) };
  const end = start + limit;
  return end < items.length ? { page: items.slice(start, end), nextCursor: encodeCursor(end) } : { page: items.slice(start) };
}

const encodeCursor = (offset: number): string => btoa(`wisp:${offset}`).replace(/=+$/, "");

function decodeCursor(cursor: unknown): number {
  if (typeof cursor !== "string" || cursor.length > 64) throw badCursor();
  let decoded: string;
  try {
    decoded = atob(cursor);
  } catch {
    throw badCursor();
  }
  const match = /^wisp:(\d{1,9})$/.exec(decoded);
  if (!match) throw badCursor();
  return Number(match[1]);
}

const badCursor = () => new McpError(ErrorCode.InvalidParams, "Invalid cursor: pass back the nextCursor of an earlier page unchanged");

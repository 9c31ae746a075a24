/**
 * The JSON snapshot of a session: the original's object (`agent`,
 * `session_id`, `saved_at`, `meta`, `steps`) plus `schema`, `state` and
 * `summary`.
 *
 * @module
 */

import { SCHEMA, type Session } from "../format/types.ts";
import { safeJsonText } from "./printable.ts";

/**
 * Renders a session as the JSON snapshot text that `save()` writes.
 *
 * @param session the session, as read back.
 * @param savedAt when the snapshot is taken, epoch milliseconds.
 */
export function renderSnapshot(session: Session, savedAt: number = Date.now()): string {
  const snapshot = {
    schema: SCHEMA,
    agent: session.agent,
    session_id: session.session_id,
    saved_at: new Date(savedAt).toISOString(),
    meta: session.meta,
    state: session.state,
    started_at: session.started_at,
    finished_at: session.finished_at,
    summary: session.summary,
    // A snapshot of a running session names its writer, so a reader can tell
    // when it is gone (and the snapshot no longer running).
    ...(session.state === "running" ? { pid: session.pid, host: session.host } : {}),
    steps: session.steps.map((step) => {
      const { in_flight, ...rest } = step;
      return in_flight ? { ...rest, in_flight } : rest;
    }),
  };
  return `${safeJsonText(JSON.stringify(snapshot, null, 2))}\n`;
}

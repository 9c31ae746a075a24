/**
 * A directory of sessions with chosen agents, start times, states, errors
 * and sizes, for the filter, lookup and prune tests. Complete sessions are
 * written by the Tracer with explicit times (`startedAt`, `startTime`,
 * `endTime`). Crashed and running ones cannot be: the Tracer of this process
 * is alive on this host (so its session reads as running until closed, and
 * closing it completes it), so their lines are written here as the tracer
 * writes them, from another host.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { NOW } from "./_cli.ts";
import { sessionRecord } from "./_helpers.ts";
import { Tracer } from "../src/record/tracer.ts";

/** One session to write. */
export interface FixtureSession {
  /** The agent. */
  agent: string;
  /** Seconds before {@linkcode NOW} that it started. */
  ago: number;
  /** complete (end line), crashed (no end line, long quiet), running (no end line, a record 10 s before NOW). */
  state: "complete" | "crashed" | "running";
  /** Failed steps among its steps. @default 0 */
  errors?: number;
  /** Completed steps. @default 2 */
  steps?: number;
  /** Extra bytes of context, to make the file big. @default 0 */
  pad?: number;
  /** A suffix for the session id. @default a counter */
  suffix?: string;
}

let serial = 0;

/** The session id the tracer would give a session started at `epochSeconds`. */
export function sessionIdAt(epochSeconds: number, suffix: string): string {
  const iso = new Date(epochSeconds * 1000).toISOString(); // 2026-11-25T23:00:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_${iso.slice(11, 13)}${iso.slice(14, 16)}${
    iso.slice(17, 19)
  }_${suffix}`;
}

/**
 * Writes one session into `dir` and returns its file's path.
 *
 * @param dir The directory.
 * @param session What to write.
 * @returns The `.jsonl` path.
 */
export async function writeFixtureSession(dir: string, session: FixtureSession): Promise<string> {
  const start = NOW / 1000 - session.ago;
  const id = sessionIdAt(start, session.suffix ?? `s${String(++serial).padStart(4, "0")}`);
  if (session.state === "complete") {
    const tracer = new Tracer(session.agent, {
      traceDir: dir,
      sessionId: id,
      startedAt: (start + 0.25) * 1000,
      maxStringLength: 1_000_000,
    });
    const steps = session.steps ?? 2;
    const errors = session.errors ?? 0;
    for (let i = 0; i < steps; i++) {
      const t = (start + 0.5 + 0.2 * i) * 1000;
      const context = i === 0 && session.pad ? { pad: "x".repeat(session.pad) } : {};
      const step = tracer.step(`step_${i}`, context, { startTime: t });
      if (i < errors) step.fail("boom", { endTime: t + 100 });
      else step.finish("ok", { endTime: t + 100 });
    }
    await tracer.close();
    return tracer.path!;
  }
  const lines: Record<string, unknown>[] = [
    sessionRecord({ agent: session.agent, session_id: id, started_at: start + 0.25 }),
  ];
  const steps = session.steps ?? 2;
  const errors = session.errors ?? 0;
  let t = start + 0.5;
  for (let i = 0; i < steps; i++) {
    const failed = i < errors;
    lines.push({ type: "start", id: i + 1, parent_id: null, name: `step_${i}`, context: {}, started_at: t });
    lines.push({
      type: "step",
      id: i + 1,
      parent_id: null,
      name: `step_${i}`,
      context: i === 0 && session.pad ? { pad: "x".repeat(session.pad) } : {},
      started_at: t,
      finished_at: t + 0.1,
      duration_ms: 100,
      outcome: failed ? "error" : "ok",
      error: failed ? "boom" : null,
      logs: [],
    });
    t += 0.2;
  }
  if (session.state === "running") {
    lines.push({
      type: "start",
      id: steps + 1,
      parent_id: null,
      name: "working",
      context: {},
      started_at: NOW / 1000 - 10,
    });
  }
  const path = join(dir, `${session.agent}_${id}.jsonl`);
  writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
  return path;
}

/** The standard directory of the filter tests; returns the paths by a short name. */
export async function writeStandardSessions(dir: string): Promise<Record<string, string>> {
  return {
    research_1h: await writeFixtureSession(dir, {
      agent: "research_agent",
      ago: 3600,
      state: "complete",
      suffix: "r1h",
    }),
    research_3h_crashed: await writeFixtureSession(dir, {
      agent: "research_agent",
      ago: 3 * 3600,
      state: "crashed",
      errors: 1,
      suffix: "r3h",
    }),
    research_3d_crashed: await writeFixtureSession(dir, {
      agent: "research_agent",
      ago: 3 * 86400,
      state: "crashed",
      suffix: "r3d",
    }),
    beta_2h_errors: await writeFixtureSession(dir, {
      agent: "research_beta",
      ago: 2 * 3600,
      state: "complete",
      errors: 2,
      suffix: "b2h",
    }),
    trading_running: await writeFixtureSession(dir, {
      agent: "trading_agent",
      ago: 30,
      state: "running",
      suffix: "trun",
    }),
    trading_40d_big: await writeFixtureSession(dir, {
      agent: "trading_agent",
      ago: 40 * 86400,
      state: "complete",
      pad: 100_000,
      suffix: "t40d",
    }),
  };
}

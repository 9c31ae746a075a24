/**
 * Sessions for the HTML report tests: a realistic demo (committed in
 * testdata), a hostile one that carries script payloads in every field, and
 * a large one with thousands of nested steps. Each is written as an
 * `ai-trace/1` JSONL file and read back with `readSession`, as the CLI does.
 *
 * @module
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSession } from "../src/read/session_reader.ts";
import type { Session } from "../src/format/types.ts";

/** The committed demo session: nested steps, a decision, an error, a step in flight. */
export const DEMO_PATH: string = fileURLToPath(
  new URL("./testdata/trading_agent_20250114_103205_k3v9.jsonl", import.meta.url),
);

/** Reads the demo session. */
export function demoSession(): Promise<Session> {
  return readSession(DEMO_PATH);
}

/** Script and markup payloads an attacker could get into a trace through an LLM's output or a web page. */
export const PAYLOADS: readonly string[] = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(1)</script>",
  "javascript:alert(1)",
  '"><svg onload=alert(1)>',
  "<img src=http://127.0.0.1:9/beacon.png>",
  "<link rel=stylesheet href=http://127.0.0.1:9/x.css>",
  "<!--<script>alert(1)//-->",
  "line\u2028separator\u2029paragraph</script >",
  "<iframe src=javascript:alert(1)></iframe>",
];

/** One string holding every payload. */
export const ALL_PAYLOADS: string = PAYLOADS.join(" ");

const T0 = 1_736_850_725;

function payloadObject(): Record<string, string> {
  const object: Record<string, string> = {};
  PAYLOADS.forEach((payload, i) => {
    object[payload] = PAYLOADS[(i + 1) % PAYLOADS.length];
  });
  object.long = ALL_PAYLOADS.repeat(60);
  object.url = "javascript:alert(1)";
  object.href = "javascript:alert(document.domain)";
  return object;
}

/** JSONL lines of a session whose every field carries script payloads. */
export function xssLines(): string[] {
  const lines: unknown[] = [{
    type: "session",
    schema: "ai-trace/1",
    agent: `agent ${ALL_PAYLOADS}`,
    session_id: "20250114_103205_xss1",
    started_at: T0,
    meta: { ...payloadObject(), "</script>": "<script>alert('meta')</script>" },
    runtime: { name: "<b>deno</b>", version: "<script>alert(1)</script>" },
    pid: 1,
    host: "<img src=x onerror=alert(1)>",
  }];
  PAYLOADS.forEach((payload, i) => {
    const id = i + 1;
    const started = T0 + i * 0.1;
    const base = {
      id,
      parent_id: i === 0 ? null : i % 3 === 0 ? 1 : id - 1,
      name: `${payload} step ${id}`,
      context: payloadObject(),
      started_at: started,
    };
    lines.push({ type: "start", ...base, kind: payload });
    if (i === PAYLOADS.length - 1) return; // the last one stays in flight
    lines.push({
      type: "step",
      ...base,
      kind: payload,
      finished_at: started + 0.05,
      duration_ms: 50,
      outcome: i % 2 === 0 ? "error" : payload,
      error: i % 2 === 0 ? `${payload} failed` : null,
      error_type: payload,
      stack: `Error: ${payload}\n    at ${payload} (javascript:alert(1):1:1)`,
      logs: [{ _t: started + 0.01, [payload]: payload, link: "javascript:alert(1)", nested: { deep: [payload] } }],
      decision: { action: payload, reason: ALL_PAYLOADS, confidence: 0.5, alternatives: [payload, { x: payload }] },
      usage: { model: payload, input_tokens: 1, output_tokens: 2, cost_usd: 0.001 },
    });
  });
  return lines.map((line) => JSON.stringify(line));
}

/**
 * JSONL lines of a session with `count` steps: groups of a parent with
 * children and grandchildren, every 97th step failing, one decision per group.
 */
export function bigLines(count: number): string[] {
  const lines: string[] = [JSON.stringify({
    type: "session",
    schema: "ai-trace/1",
    agent: "load_test_agent",
    session_id: "20250114_103205_big1",
    started_at: T0,
    meta: { steps: count },
    runtime: { name: "deno", version: "2.1.4" },
    pid: 1,
    host: "bench",
  })];
  let parent: number | null = null;
  let child: number | null = null;
  for (let id = 1; id <= count; id++) {
    const position = (id - 1) % 50;
    let parentId: number | null;
    if (position === 0) {
      parentId = null;
      parent = id;
    } else if (position % 5 === 1) {
      parentId = parent;
      child = id;
    } else {
      parentId = child;
    }
    const started = T0 + id * 0.01;
    const failed = id % 97 === 0;
    const record: Record<string, unknown> = {
      type: "step",
      id,
      parent_id: parentId,
      name: `step_${id}`,
      context: { index: id, shard: `shard-${id % 16}`, prompt: `Summarize document ${id} for the user` },
      started_at: started,
      finished_at: started + (parentId === null ? 0.49 : 0.008),
      duration_ms: parentId === null ? 490 : 8,
      outcome: failed ? "error" : "ok",
      error: failed ? `upstream returned 503 for step ${id}` : null,
      logs: [{ _t: started + 0.004, tokens: id % 1000 }],
    };
    if (position === 2) record.decision = { action: `ROUTE_${id % 7}`, reason: `score ${id % 100}`, confidence: 0.6 };
    if (failed) record.stack = `Error: upstream returned 503\n    at call (file:///app/agent.ts:${id}:1)`;
    lines.push(JSON.stringify(record));
  }
  return lines;
}

/** Writes JSONL lines as a trace file in `dir` and reads it back as a session. */
export function sessionFrom(dir: string, name: string, lines: string[]): Promise<Session> {
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return readSession(path);
}

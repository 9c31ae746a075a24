// The core API for span-shaped sources: explicit parent, kind, start and end
// times, tracer.current(), step.run(), the grown usage and wrap's recordArgs
// picker. Each test reads the file back with readSession.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { collectStats, listTraceFiles, readSession, type SessionStep, type Step, Tracer } from "../mod.ts";
import { renderMarkdown } from "../src/render/markdown.ts";
import { renderSessionText } from "../src/cli/view.ts";
import { renderStatsText } from "../src/cli/stats.ts";
import { createStyle } from "../src/cli/format.ts";

const plainStyle = createStyle(false);
import { readRecords, removeDir, tempDir } from "./_helpers.ts";

function newTracer() {
  const dir = tempDir();
  const errors: Error[] = [];
  const tracer = new Tracer("agent", { traceDir: dir, onError: (e) => errors.push(e) });
  return { dir, tracer, errors };
}

async function closeAndRead(tracer: Tracer): Promise<SessionStep[]> {
  await tracer.close();
  const session = await readSession(tracer.path!);
  assert.deepEqual(session.warnings, []);
  return session.steps;
}

function byName(steps: SessionStep[], name: string): SessionStep {
  const step = steps.find((s) => s.name === name);
  assert.ok(step, `no step named ${name}`);
  return step;
}

describe("Step options", () => {
  test("Tracer.step() takes a kind in the manual and the callback form", async () => {
    const { dir, tracer, errors } = newTracer();
    const manual = tracer.step("search", { q: "tides" }, { kind: "tool" });
    assert.equal(manual.kind, "tool");
    manual.start();
    manual.finish();
    const value = tracer.step("chat", {}, { kind: "llm" }, (step) => {
      assert.equal(step.kind, "llm");
      return 7;
    });
    assert.equal(value, 7);
    const asyncValue = await tracer.step("embed", undefined, { kind: "embedding" }, () => Promise.resolve("v"));
    assert.equal(asyncValue, "v");
    const plain = tracer.step("plain");
    assert.equal(plain.kind, undefined);
    plain.finish();
    const steps = await closeAndRead(tracer);
    assert.equal(byName(steps, "search").kind, "tool");
    assert.equal(byName(steps, "chat").kind, "llm");
    assert.equal(byName(steps, "embed").kind, "embedding");
    assert.equal("kind" in byName(steps, "plain"), false);
    // The start line carries the kind too, so a step in flight shows it.
    const starts = readRecords(tracer.path!).filter((r) => r.type === "start");
    assert.equal(starts.find((r) => r.name === "search")?.kind, "tool");
    assert.deepEqual(errors, []);
    removeDir(dir);
  });

  test("Tracer.step() takes an explicit parent, or null for a root step, over the async context", async () => {
    const { dir, tracer } = newTracer();
    const agent = tracer.step("agent", {}, { kind: "agent", parent: null }).start();
    // Begun inside another step's callback, but given its parent explicitly.
    tracer.step("outer", () => {
      tracer.step("llm", {}, { parent: agent }).finish();
      tracer.step("root", {}, { parent: null }, () => {});
      tracer.step("inner", () => {}); // no parent given: the async context, as before
    });
    agent.finish();
    const steps = await closeAndRead(tracer);
    const outer = byName(steps, "outer");
    assert.equal(byName(steps, "agent").parent_id, null);
    assert.equal(byName(steps, "llm").parent_id, agent.id);
    assert.equal(byName(steps, "root").parent_id, null);
    assert.equal(byName(steps, "inner").parent_id, outer.id);
    removeDir(dir);
  });

  test("Tracer.step() with a parent not started, or not a step, records a root step", async () => {
    const { dir, tracer } = newTracer();
    const notStarted = tracer.step("later");
    tracer.step("child", {}, { parent: notStarted }).finish();
    tracer.step("odd", {}, { parent: { id: "x" } as unknown as Step }).finish();
    notStarted.finish();
    const steps = await closeAndRead(tracer);
    assert.equal(byName(steps, "child").parent_id, null);
    assert.equal(byName(steps, "odd").parent_id, null);
    removeDir(dir);
  });

  test("Step.finish() with explicit start and end times writes them and duration_ms = end - start", async () => {
    const { dir, tracer } = newTracer();
    const start = Date.UTC(2026, 0, 1, 12, 0, 0); // long before now
    tracer.step("reported", { span: 1 }, { kind: "llm", startTime: start }).finish("ok", { endTime: start + 1234.5 });
    const failed = tracer.step("failed", {}, { startTime: start + 2000 });
    failed.fail(new TypeError("bad"), { endTime: start + 2500 });
    // An end before the start counts as the start.
    tracer.step("backwards", {}, { startTime: start + 3000 }).finish("ok", { endTime: start + 1000 });
    const steps = await closeAndRead(tracer);
    const reported = byName(steps, "reported");
    assert.equal(reported.started_at, start / 1000);
    assert.equal(reported.finished_at, (start + 1234.5) / 1000);
    assert.equal(reported.duration_ms, 1234.5);
    assert.equal(reported.outcome, "ok");
    const fail = byName(steps, "failed");
    assert.equal(fail.duration_ms, 500);
    assert.equal(fail.outcome, "error");
    assert.equal(fail.error_type, "TypeError");
    const backwards = byName(steps, "backwards");
    assert.equal(backwards.duration_ms, 0);
    assert.equal(backwards.finished_at, backwards.started_at);
    // readSession orders by start time: the reported steps come in their own order.
    assert.deepEqual(steps.map((s) => s.name), ["reported", "failed", "backwards"]);
    removeDir(dir);
  });

  test("Step.finish() with only a start time measures to now; with only an end time, from the start", async () => {
    const { dir, tracer } = newTracer();
    const before = Date.now();
    tracer.step("from_past", {}, { startTime: before - 60_000 }).finish();
    const step = tracer.step("to_given").start();
    const startedAt = Date.now();
    step.finish("ok", { endTime: startedAt + 90_000 });
    const steps = await closeAndRead(tracer);
    // The duration is the difference of the two epoch times, whatever the monotonic clock says.
    for (const step of [byName(steps, "from_past"), byName(steps, "to_given")]) {
      assert.ok(Math.abs(step.duration_ms! - (step.finished_at! - step.started_at) * 1000) < 0.01, step.name);
    }
    assert.equal(byName(steps, "from_past").started_at, (before - 60_000) / 1000);
    assert.ok(byName(steps, "from_past").duration_ms! > 50_000);
    assert.equal(byName(steps, "to_given").finished_at, (startedAt + 90_000) / 1000);
    removeDir(dir);
  });

  test("Tracer.step() ignores a start or end time that is not a finite number", async () => {
    const { dir, tracer, errors } = newTracer();
    const bad = { kind: "llm", startTime: NaN } as const;
    tracer.step("bad_times", {}, bad).finish("ok", { endTime: "soon" as unknown as number });
    const steps = await closeAndRead(tracer);
    const step = byName(steps, "bad_times");
    assert.equal(typeof step.duration_ms, "number");
    assert.ok(step.started_at > Date.UTC(2026, 0, 1) / 1000);
    assert.deepEqual(errors, []);
    removeDir(dir);
  });
});

describe("Tracer.current() and Step.run()", () => {
  test("Tracer.current() is the step of the current async context, across awaits", async () => {
    const { dir, tracer } = newTracer();
    assert.equal(tracer.current(), undefined);
    let seen: Step | undefined;
    await tracer.step("fetch", async (step) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen = tracer.current();
      assert.equal(seen, step);
      tracer.current()?.log({ cache: "miss" });
    });
    assert.equal(tracer.current(), undefined);
    const steps = await closeAndRead(tracer);
    assert.equal(byName(steps, "fetch").logs[0].cache, "miss");
    removeDir(dir);
  });

  test("Step.run() makes a manual step the parent of steps begun inside it, across awaits", async () => {
    const { dir, tracer } = newTracer();
    const research = tracer.step("research", { topic: "tides" }); // not started: run() starts it
    const result = await research.run(async () => {
      assert.equal(tracer.current(), research);
      await new Promise((resolve) => setTimeout(resolve, 1));
      tracer.step("fetch_a", () => {});
      return await Promise.all([
        tracer.step("fetch_b", () => Promise.resolve("b")),
        tracer.step("fetch_c", () => Promise.resolve("c")),
      ]);
    });
    assert.deepEqual(result, ["b", "c"]);
    assert.equal(research.finished, false, "run() does not end the step");
    assert.equal(tracer.current(), undefined);
    tracer.step("after", () => {});
    research.finish();
    const steps = await closeAndRead(tracer);
    const parent = byName(steps, "research");
    for (const name of ["fetch_a", "fetch_b", "fetch_c"]) assert.equal(byName(steps, name).parent_id, parent.id);
    assert.equal(byName(steps, "after").parent_id, null);
    removeDir(dir);
  });

  test("Step.run() rethrows what its function throws and leaves the step open", async () => {
    const { dir, tracer } = newTracer();
    const step = tracer.step("manual").start();
    assert.throws(() => step.run(() => JSON.parse("{")), SyntaxError);
    assert.equal(step.finished, false);
    step.finish();
    const steps = await closeAndRead(tracer);
    assert.equal(byName(steps, "manual").outcome, "ok");
    removeDir(dir);
  });

  test("a disabled tracer takes every new form and records nothing", () => {
    const tracer = new Tracer("agent", { enabled: false });
    const step = tracer.step("x", {}, { kind: "llm", parent: null, startTime: 1 });
    step.start();
    assert.equal(step.run(() => 3), 3);
    step.finish("ok", { endTime: 2 });
    assert.equal(tracer.step("y", {}, { kind: "tool" }, () => 4), 4);
    assert.equal(tracer.current(), undefined);
    assert.equal(tracer.summary().steps, 0);
  });
});

describe("Usage fields", () => {
  test("Step.usage() records provider, response model, cache and reasoning tokens, summed per session and name", async () => {
    const { dir, tracer } = newTracer();
    for (const cached of [100, 50]) {
      tracer.step("chat", {}, { kind: "llm" }, (step) => {
        step.usage({
          model: "gpt-4o-mini",
          response_model: "gpt-4o-mini-2024-07-18",
          provider: "openai",
          input_tokens: 1000,
          output_tokens: 200,
          cache_read_input_tokens: cached,
          cache_creation_input_tokens: 10,
          reasoning_tokens: 30,
          cost_usd: 0.001,
        });
        step.usage({ input_tokens: 1, reasoning_tokens: 2 }); // a follow-up call adds up
      });
    }
    tracer.step("other", (step) => step.usage({ model: "claude-haiku-4-5", provider: "anthropic", output_tokens: 5 }));
    const summary = tracer.summary();
    await tracer.close();
    const session = await readSession(tracer.path!);
    const chat = byName(session.steps, "chat");
    assert.deepEqual(chat.usage, {
      model: "gpt-4o-mini",
      response_model: "gpt-4o-mini-2024-07-18",
      provider: "openai",
      input_tokens: 1001,
      output_tokens: 200,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 10,
      reasoning_tokens: 32,
      cost_usd: 0.001,
    });
    for (const s of [summary, session.summary]) {
      assert.equal(s.input_tokens, 2002);
      assert.equal(s.output_tokens, 405);
      assert.equal(s.cache_read_input_tokens, 150);
      assert.equal(s.cache_creation_input_tokens, 20);
      assert.equal(s.reasoning_tokens, 64);
      assert.equal(s.cost_usd, 0.002);
      assert.equal(s.by_name.chat.cache_read_input_tokens, 150);
      assert.equal(s.by_name.chat.reasoning_tokens, 64);
      assert.equal(s.by_name.other.cache_read_input_tokens, 0);
    }
    const stats = await collectStats(listTraceFiles(dir).files);
    assert.equal(stats.cache_read_input_tokens, 150);
    assert.equal(stats.cache_creation_input_tokens, 20);
    assert.equal(stats.reasoning_tokens, 64);
    const chatStats = stats.by_name.find((n) => n.name === "chat")!;
    assert.equal(chatStats.cache_read_input_tokens, 150);
    assert.equal(chatStats.reasoning_tokens, 64);

    // Shown by view, stats and the Markdown report.
    const text = renderSessionText(session, plainStyle);
    assert.match(
      text,
      /gpt-4o-mini → gpt-4o-mini-2024-07-18 · openai · 1001 in \/ 200 out tokens \(100 cache read, 10 cache write, 32 reasoning\) · \$0\.001/,
    );
    assert.match(text, /usage {5}2002 in \/ 405 out tokens \(150 cache read, 20 cache write, 64 reasoning\)/);
    const statsText = renderStatsText(stats, plainStyle);
    assert.match(statsText, /Tokens: +2002 in \/ 405 out \(150 cache read, 20 cache write, 64 reasoning\)/);
    assert.match(statsText, /CACHE READ +CACHE WRITE +REASONING +COST/);
    assert.match(statsText, /chat .* 2002 +400 +150 +20 +64 +\$0\.002/);
    const markdown = renderMarkdown(session, 0);
    assert.match(markdown, /\| 2002 \/ 405 \(150 cache read, 20 cache write, 64 reasoning\) \|/);
    assert.match(
      markdown,
      /\*\*Usage:\*\* `gpt-4o-mini`, answered by `gpt-4o-mini-2024-07-18`, via `openai`, 1001 in \/ 200 out tokens \(100 cache read, 10 cache write, 32 reasoning\), \$0\.001/,
    );
    removeDir(dir);
  });

  test("readSession() reads files written before the new usage fields, with zero sums", async () => {
    const dir = tempDir();
    const path = `${dir}/agent_20260301_120000_abcdef.jsonl`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      path,
      '{"name":"llm_call","started_at":1,"finished_at":2,"duration_ms":1000,"outcome":"ok","error":null,"logs":[],' +
        '"usage":{"model":"m","input_tokens":5,"output_tokens":6,"cost_usd":0.5,"reasoning_tokens":"x"}}\n',
    );
    const session = await readSession(path);
    assert.deepEqual(session.steps[0].usage, { model: "m", input_tokens: 5, output_tokens: 6, cost_usd: 0.5 });
    assert.equal(session.summary.input_tokens, 5);
    assert.equal(session.summary.reasoning_tokens, 0);
    assert.equal(session.summary.cache_read_input_tokens, 0);
    // Without cache or reasoning tokens, the view and stats look as before.
    assert.match(renderSessionText(session, plainStyle), /usage {5}m · 5 in \/ 6 out tokens · \$0\.5\n/);
    const stats = await collectStats(listTraceFiles(dir).files);
    assert.doesNotMatch(renderStatsText(stats, plainStyle), /CACHE|reasoning/);
    removeDir(dir);
  });
});

describe("Tracer.wrap() recordArgs", () => {
  test("Tracer.wrap() with a recordArgs function records what it picks, not every argument", async () => {
    const { dir, tracer } = newTracer();
    const conversation = ["a long conversation"];
    const weather = tracer.wrap(
      "weather",
      (input: { city: string }, history: string[]) => `sunny in ${input.city} after ${history.length}`,
      { recordArgs: (input) => input, kind: "tool" },
    );
    assert.equal(weather({ city: "Lisbon" }, conversation), "sunny in Lisbon after 1");
    const throwing = tracer.wrap("picky", (n: number) => n * 2, {
      recordArgs: () => {
        throw new Error("picker broke");
      },
    });
    assert.equal(throwing(4), 8, "a picker that throws never reaches the caller");
    const none = tracer.wrap("none", (n: number) => n + 1, { recordArgs: false });
    assert.equal(none(1), 2);
    const all = tracer.wrap("all", (a: number, b: number) => a + b);
    assert.equal(all(1, 2), 3);
    const steps = await closeAndRead(tracer);
    assert.deepEqual(byName(steps, "weather").context, { args: { city: "Lisbon" } });
    assert.equal(byName(steps, "weather").kind, "tool");
    assert.match(String(byName(steps, "picky").context.args_error), /picker broke/);
    assert.deepEqual(byName(steps, "none").context, {});
    assert.deepEqual(byName(steps, "all").context, { args: [1, 2] });
    removeDir(dir);
  });
});

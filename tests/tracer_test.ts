import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { collectStats, listTraceFiles, readSession, Tracer } from "../mod.ts";
import { filesIn, readRecords, removeDir, tempDir, tmpfsSkipReason } from "./_helpers.ts";
import { cli as cliRun } from "./_cli.ts";

function newTracer(options: ConstructorParameters<typeof Tracer>[1] = {}, agent = "agent") {
  const dir = tempDir();
  const errors: Error[] = [];
  const tracer = new Tracer(agent, { traceDir: dir, onError: (e) => errors.push(e), ...options });
  return { dir, tracer, errors, records: () => readRecords(tracer.path!) };
}

describe("Tracer", () => {
  test("new Tracer() writes a session line with schema, agent, meta and runtime", async () => {
    const { dir, tracer, records } = newTracer({ meta: { model: "claude-haiku-4-5" } }, "trading_agent");
    assert.match(tracer.path!, /trading_agent_\d{8}_\d{6}_[0-9a-z]{6}\.jsonl$/);
    const [session] = records();
    assert.equal(session.type, "session");
    assert.equal(session.schema, "ai-trace/1");
    assert.equal(session.agent, "trading_agent");
    assert.equal(session.session_id, tracer.sessionId);
    assert.deepEqual(session.meta, { model: "claude-haiku-4-5" });
    assert.equal(typeof (session.runtime as { name: string }).name, "string");
    assert.equal(session.pid, process.pid);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.step() callback form times the step, returns its value and writes start and step lines", async () => {
    const { dir, tracer, records } = newTracer();
    const value = await tracer.step("market_scan", { symbol: "BTCUSDT" }, async (step) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      step.log({ signal: 0.87 });
      return 42;
    });
    assert.equal(value, 42);
    const lines = records();
    assert.deepEqual(lines.map((r) => r.type), ["session", "start", "step"]);
    const step = lines[2];
    assert.equal(step.name, "market_scan");
    assert.deepEqual(step.context, { symbol: "BTCUSDT" });
    assert.equal(step.outcome, "ok");
    assert.equal(step.error, null);
    assert.ok((step.duration_ms as number) >= 1, `duration ${step.duration_ms}`);
    assert.ok((step.finished_at as number) > (step.started_at as number));
    const logs = step.logs as Record<string, unknown>[];
    assert.equal(logs[0].signal, 0.87);
    assert.equal(typeof logs[0]._t, "number");
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.step() with a sync callback stays sync", async () => {
    const { dir, tracer } = newTracer();
    const value = tracer.step("add", () => 1 + 2);
    assert.equal(value, 3);
    assert.equal(tracer.summary().steps, 1);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.step() records a thrown error (message, type, stack) and rethrows it", async () => {
    const { dir, tracer, records } = newTracer();
    await assert.rejects(
      tracer.step("execute", { qty: 0.01 }, async () => {
        await Promise.resolve();
        throw new TypeError("exchange timeout after 3 retries");
      }),
      TypeError,
    );
    assert.throws(() =>
      tracer.step("sync_fail", () => {
        throw new RangeError("bad");
      }), RangeError);
    const steps = records().filter((r) => r.type === "step");
    assert.equal(steps[0].outcome, "error");
    assert.equal(steps[0].error, "exchange timeout after 3 retries");
    assert.equal(steps[0].error_type, "TypeError");
    assert.match(steps[0].stack as string, /exchange timeout/);
    assert.equal(steps[1].error_type, "RangeError");
    assert.equal(tracer.summary().errors, 2);
    await tracer.close();
    removeDir(dir);
  });

  test("Step manual form: start, log, finish and fail, as the original", async () => {
    const { dir, tracer, records } = newTracer();
    const scan = tracer.step("scan", { markets: 142 });
    scan.start();
    scan.log({ markets_scanned: 142 });
    scan.finish();
    const order = tracer.step("order");
    order.start();
    order.fail("timeout");
    const custom = tracer.step("maybe");
    custom.start();
    custom.finish("skipped");
    custom.finish("twice is ignored");
    const steps = records().filter((r) => r.type === "step");
    assert.deepEqual(steps.map((s) => [s.name, s.outcome, s.error]), [
      ["scan", "ok", null],
      ["order", "error", "timeout"],
      ["maybe", "skipped", null],
    ]);
    assert.deepEqual(tracer.summary().ok, 1);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.step() nests steps across await, Promise.all and timers", async () => {
    const { dir, tracer, records } = newTracer();
    await tracer.step("plan", async () => {
      await Promise.all([1, 2, 3].map((i) =>
        tracer.step(`fetch_${i}`, { i }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 4 - i));
          await tracer.step("parse", { i }, () => Promise.resolve(i));
        })
      ));
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          tracer.step("from_timer", () => {});
          resolve();
        }, 1)
      );
    });
    tracer.step("after", () => {});
    const steps = records().filter((r) => r.type === "step");
    const byName = new Map(steps.map((s) => [s.name as string, s]));
    const plan = byName.get("plan")!;
    assert.equal(plan.parent_id, null);
    for (const i of [1, 2, 3]) {
      const fetch = byName.get(`fetch_${i}`)!;
      assert.equal(fetch.parent_id, plan.id);
      const parse = steps.find((s) => s.name === "parse" && (s.context as { i: number }).i === i)!;
      assert.equal(parse.parent_id, fetch.id, `parse ${i} under fetch_${i}`);
    }
    assert.equal(byName.get("from_timer")!.parent_id, plan.id);
    assert.equal(byName.get("after")!.parent_id, null);
    const ids = steps.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, "ids are unique");
    await tracer.close();
    removeDir(dir);
  });

  test("Step.decide() and Step.usage() are recorded and summed by summary()", async () => {
    const { dir, tracer, records } = newTracer();
    tracer.step("decision", { signal: 0.87 }, (step) => {
      step.decide("ENTER_LONG", { reason: "SuperTrend bullish", confidence: 0.87, alternatives: ["HOLD"] });
      step.usage({ model: "claude-haiku-4-5", input_tokens: 100, output_tokens: 20, cost_usd: 0.001 });
      step.usage({ input_tokens: 50, output_tokens: 5, cost_usd: 0.0005 });
    });
    tracer.step("tool", (step) => step.usage({ input_tokens: 1, output_tokens: 1 }));
    const step = records().find((r) => r.type === "step" && r.name === "decision")!;
    assert.deepEqual(step.decision, {
      action: "ENTER_LONG",
      reason: "SuperTrend bullish",
      confidence: 0.87,
      alternatives: ["HOLD"],
    });
    assert.deepEqual(step.usage, { model: "claude-haiku-4-5", input_tokens: 150, output_tokens: 25, cost_usd: 0.0015 });
    const summary = tracer.summary();
    assert.equal(summary.input_tokens, 151);
    assert.equal(summary.output_tokens, 26);
    assert.equal(summary.cost_usd, 0.0015);
    assert.equal(summary.by_name.decision.input_tokens, 150);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.wrap() records each call as a tool step with arguments and result", async () => {
    const { dir, tracer, records } = newTracer();
    const search = tracer.wrap("search", async (query: string, limit: number) => {
      await Promise.resolve();
      return [`${query}:${limit}`];
    });
    assert.deepEqual(await search("tides", 2), ["tides:2"]);
    const failing = tracer.wrap("explode", () => {
      throw new Error("boom");
    });
    assert.throws(() => failing(), /boom/);
    const steps = records().filter((r) => r.type === "step");
    assert.equal(steps[0].kind, "tool");
    assert.deepEqual(steps[0].context, { args: ["tides", 2] });
    assert.deepEqual((steps[0].logs as Record<string, unknown>[])[0].result, ["tides:2"]);
    assert.equal(steps[1].outcome, "error");
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.summary() gives steps, ok, errors, in flight and avg/p50/p95", async () => {
    const { dir, tracer, records } = newTracer();
    for (let i = 0; i < 20; i++) {
      const step = tracer.step("s");
      step.start();
      // Durations of 0 to 1.5 ms, so that a wrong average shows.
      const until = performance.now() + (i % 4) * 0.5;
      while (performance.now() < until);
      if (i % 5 === 0) step.fail("x");
      else step.finish();
    }
    tracer.step("open").start();
    const summary = tracer.summary();
    assert.equal(summary.steps, 20);
    assert.equal(summary.ok, 16);
    assert.equal(summary.errors, 4);
    assert.equal(summary.in_flight, 1);
    // avg, p50 and p95 against the durations written to the file.
    const durations = records().filter((r) => r.type === "step").map((r) => r.duration_ms as number);
    assert.equal(durations.length, 20);
    const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
    assert.ok(Math.abs(summary.avg_ms - mean) <= 0.001 + mean * 1e-9, `avg ${summary.avg_ms} vs ${mean}`);
    const sorted = [...durations].sort((a, b) => a - b);
    assert.ok(summary.p50_ms >= sorted[0] && summary.p50_ms <= sorted[19]);
    assert.ok(summary.p50_ms <= summary.p95_ms && summary.p95_ms <= sorted[19] * 1.01 + 0.001);
    assert.equal(summary.by_name.s.count, 20);
    assert.equal(summary.by_name.s.errors, 4);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.close() writes an end line with the summary; steps still running stay in flight", async () => {
    const { dir, tracer, records } = newTracer();
    tracer.step("done", () => {});
    tracer.step("hanging").start();
    await tracer.close();
    await tracer.close();
    const lines = records();
    const end = lines.at(-1)!;
    assert.equal(end.type, "end");
    assert.equal((end.summary as { steps: number }).steps, 1);
    assert.equal((end.summary as { in_flight: number }).in_flight, 1);
    assert.equal(lines.filter((r) => r.type === "end").length, 1);
    const starts = lines.filter((r) => r.type === "start").map((r) => r.name);
    assert.deepEqual(starts, ["done", "hanging"]);
    removeDir(dir);
  });

  test("Tracer.save() and saveMarkdown() write the snapshot and report atomically beside the JSONL", async () => {
    const { dir, tracer } = newTracer({ meta: { model: "m" } }, "trading_agent");
    tracer.step("market_scan", { symbol: "BTCUSDT" }, (step) => step.log({ signal: 0.87 }));
    tracer.step("execute", (step) => step.fail("exchange timeout"));
    const json = await tracer.save();
    const md = await tracer.saveMarkdown();
    assert.equal(json, tracer.path!.replace(/\.jsonl$/, ".json"));
    assert.equal(md, tracer.path!.replace(/\.jsonl$/, ".md"));
    const snapshot = JSON.parse(readFileSync(json!, "utf8"));
    assert.equal(snapshot.schema, "ai-trace/1");
    assert.equal(snapshot.agent, "trading_agent");
    assert.equal(snapshot.session_id, tracer.sessionId);
    assert.match(snapshot.saved_at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(snapshot.meta, { model: "m" });
    assert.deepEqual(snapshot.steps.map((s: { name: string }) => s.name), ["market_scan", "execute"]);
    const markdown = readFileSync(md!, "utf8");
    assert.match(markdown, /^# Trace: trading\\_agent — /);
    assert.match(markdown, /### 1\. ✅ `market_scan`/);
    assert.match(markdown, /### 2\. ❌ `execute`/);
    assert.match(markdown, /\*\*Error:\*\* `exchange timeout`/);
    assert.deepEqual(filesIn(dir).filter((f) => f.endsWith(".tmp")), [], "no temporary file left");
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer.saveHtml() writes a self-contained HTML report beside the JSONL", async () => {
    const { dir, tracer } = newTracer({}, "html_agent");
    tracer.step("<b>scan</b>", { q: "</script><script>alert(1)</script>" }, () => {});
    const html = await tracer.saveHtml();
    assert.equal(html, tracer.path!.replace(/\.jsonl$/, ".html"));
    const text = readFileSync(html!, "utf8");
    assert.match(text, /^<!doctype html>/i);
    assert.match(text, /Content-Security-Policy/);
    assert.ok(!text.includes("</script><script>alert(1)"), "the payload cannot close the data element");
    assert.equal(statSync(html!).mode & 0o777, 0o600);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer with autoSave: false keeps the run in memory and save() still works", async () => {
    const dir = tempDir();
    const tracer = new Tracer("mem", { traceDir: dir, autoSave: false });
    tracer.step("a", { x: 1 }, () => {});
    assert.equal(tracer.path, undefined);
    assert.deepEqual(filesIn(dir), []);
    const json = await tracer.save();
    const snapshot = JSON.parse(readFileSync(json!, "utf8"));
    assert.equal(snapshot.steps.length, 1);
    assert.deepEqual(snapshot.steps[0].context, { x: 1 });
    await tracer.close();
    removeDir(dir);
  });

  test("new Tracer() gives two tracers of one agent in the same millisecond two files", async () => {
    const dir = tempDir();
    const tracers = Array.from({ length: 20 }, () => new Tracer("same", { traceDir: dir }));
    assert.equal(new Set(tracers.map((t) => t.path)).size, 20);
    assert.equal(filesIn(dir, ".jsonl").length, 20);
    for (const t of tracers) await t.close();
    removeDir(dir);
  });

  test("new Tracer() keeps hostile agent names inside the trace directory", async () => {
    const dir = tempDir();
    const inner = join(dir, "traces");
    for (
      const name of [
        "../escape",
        "/etc/passwd",
        "a/../../b",
        "nul\u0000byte",
        "ctrl\u001b[31m",
        "..",
        "",
        "x".repeat(500),
      ]
    ) {
      const tracer = new Tracer(name, { traceDir: inner });
      assert.ok(tracer.path!.startsWith(inner + "/"), tracer.path!);
      assert.ok(!tracer.path!.slice(inner.length + 1).includes("/"));
      assert.ok(tracer.path!.length < inner.length + 120);
      assert.equal(readRecords(tracer.path!)[0].agent, name.length > 10_000 ? undefined : name);
      await tracer.close();
    }
    assert.deepEqual(filesIn(dir), ["traces"]);
    removeDir(dir);
  });

  test("new Tracer() makes a given sessionId safe for the file name", async () => {
    const dir = tempDir();
    const inner = join(dir, "a", "b");
    const tracer = new Tracer("agent", { traceDir: inner, sessionId: "../../escaped" });
    assert.ok(tracer.path!.startsWith(inner + "/"), tracer.path!);
    assert.ok(!tracer.path!.slice(inner.length + 1).includes("/"));
    assert.equal(readRecords(tracer.path!)[0].session_id, tracer.sessionId);
    await tracer.close();
    removeDir(dir);
  });

  test("new Tracer() creates files readable only by their owner (0600, directory 0700)", async () => {
    const dir = tempDir();
    const traceDir = join(dir, "new");
    const tracer = new Tracer("perm", { traceDir });
    tracer.step("s", () => {});
    await tracer.save();
    await tracer.saveMarkdown();
    await tracer.close();
    assert.equal(statSync(traceDir).mode & 0o777, 0o700);
    for (const file of filesIn(traceDir)) {
      assert.equal(statSync(join(traceDir, file)).mode & 0o777, 0o600, file);
    }
    removeDir(dir);
  });

  test("new Tracer() uses AI_TRACE_DIR when traceDir is not given", async () => {
    const dir = tempDir();
    process.env.AI_TRACE_DIR = dir;
    try {
      const tracer = new Tracer("env_dir");
      assert.ok(tracer.path!.startsWith(dir));
      await tracer.close();
    } finally {
      delete process.env.AI_TRACE_DIR;
    }
    removeDir(dir);
  });

  test("new Tracer() takes an empty AI_TRACE_DIR as unset: ./traces, as the CLI does", async () => {
    process.env.AI_TRACE_DIR = "";
    try {
      const tracer = new Tracer("env_dir", { enabled: false });
      assert.equal(tracer.traceDir, "traces");
      const { out, err } = await cliRun(["stats", "--json"], { env: { AI_TRACE_DIR: "" } });
      const dir = out === "" ? /directory "([^"]*)"/.exec(err)?.[1] : JSON.parse(out).dir;
      assert.equal(dir, tracer.traceDir);
    } finally {
      delete process.env.AI_TRACE_DIR;
    }
  });

  for (const how of ["enabled: false", "AI_TRACE_DISABLED=1"] as const) {
    test(`Tracer with ${how} records nothing and returns the callbacks' values`, async () => {
      const dir = tempDir();
      if (how === "AI_TRACE_DISABLED=1") process.env.AI_TRACE_DISABLED = "1";
      try {
        const tracer = new Tracer("off", { traceDir: dir, enabled: how === "enabled: false" ? false : undefined });
        assert.equal(tracer.enabled, false);
        assert.equal(tracer.step("a", { x: 1 }, () => 7), 7);
        assert.equal(await tracer.step("b", () => Promise.resolve(8)), 8);
        const step = tracer.step("c");
        step.start();
        step.log({ a: 1 });
        step.decide("x");
        step.finish();
        assert.equal(tracer.wrap("w", (n: number) => n * 2)(4), 8);
        assert.equal(await tracer.save(), undefined);
        await tracer.close();
        assert.deepEqual(filesIn(dir), []);
      } finally {
        delete process.env.AI_TRACE_DISABLED;
      }
      removeDir(dir);
    });
  }

  test("new Tracer() reports an unwritable directory once through onError and the agent goes on", async () => {
    const dir = tempDir();
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "");
    const errors: Error[] = [];
    const tracer = new Tracer("agent", { traceDir: join(file, "traces"), onError: (e) => errors.push(e) });
    assert.equal(tracer.step("work", () => "done"), "done");
    tracer.step("more", () => {});
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /Cannot create trace file in ".*not-a-dir\/traces"/);
    assert.equal(tracer.summary().steps, 2);
    assert.ok(tracer.summary().lost_records >= 4, `lost ${tracer.summary().lost_records}`);
    await tracer.close();
    removeDir(dir);
  });

  test("Tracer reports a trace directory deleted mid-run once through onError", async () => {
    const { dir, tracer, errors } = newTracer();
    tracer.step("before", () => {});
    rmSync(dir, { recursive: true, force: true });
    // The file is checked at most once a second while writing: wait past that, then write.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(tracer.step("after", () => 5), 5);
    // Noticed on the write path, not only at close(): reported, and the run goes on in a new file.
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /was removed/);
    const names = readRecords(tracer.path!).map((r) => r.name);
    assert.ok(names.includes("after"), `the new file holds the step written after the deletion: ${names}`);
    await tracer.close();
    assert.equal(errors.length, 1);
  });

  test(
    "Tracer reports a full disk once through onError, counts lost records, and the agent goes on",
    { skip: tmpfsSkipReason() ?? false },
    async () => {
      // A real full disk: a 64 KiB tmpfs (mounting needs root; elsewhere the test is skipped, visibly).
      const dir = tempDir();
      const mount = join(dir, "small");
      mkdirSync(mount);
      const { spawnSync } = await import("node:child_process");
      assert.equal(
        spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mount]).status,
        0,
        "mount a tmpfs",
      );
      try {
        const errors: Error[] = [];
        const tracer = new Tracer("full", { traceDir: mount, onError: (e) => errors.push(e) });
        let finished = 0;
        for (let i = 0; i < 300; i++) {
          tracer.step("fill", { blob: "x".repeat(1000) }, () => finished++);
        }
        assert.equal(finished, 300);
        assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
        assert.match(errors[0].message, /Cannot write trace/);
        assert.ok(tracer.summary().lost_records > 0);
        await tracer.close();
        // What did reach the disk is whole lines.
        const text = readFileSync(tracer.path!, "utf8");
        for (const line of text.split("\n").slice(0, -1)) JSON.parse(line);
      } finally {
        spawnSync("umount", [mount]);
        removeDir(dir);
      }
    },
  );

  test("Tracer never throws on hostile values and writes them safely", async () => {
    const { dir, tracer, records, errors } = newTracer();
    const cycle: Record<string, unknown> = { name: "loop" };
    cycle.self = cycle;
    const getter = {
      get boom() {
        throw new Error("getter exploded");
      },
    };
    const huge = "y".repeat(10 * 1024 * 1024);
    tracer.step("hostile", { cycle, big: 10n ** 30n, getter, huge, apiKey: "plain-secret-value" }, (step) => {
      step.log({ err: new Error("inner"), map: new Map([["k", 1]]), set: new Set([1]), sym: Symbol("s"), fn: () => 1 });
    });
    const step = records().find((r) => r.type === "step")!;
    const context = step.context as Record<string, unknown>;
    assert.deepEqual(context.cycle, { name: "loop", self: "[Circular]" });
    assert.equal(context.big, "1000000000000000000000000000000");
    assert.deepEqual(context.getter, { boom: "[Thrown: Error: getter exploded]" });
    assert.ok((context.huge as string).length < 11_000);
    assert.match(context.huge as string, /…\[truncated, 10485760 chars\]$/);
    assert.equal(context.apiKey, "[REDACTED]");
    const text = readFileSync(tracer.path!, "utf8");
    assert.ok(!text.includes("plain-secret-value"));
    assert.deepEqual(errors, []);
    await tracer.close();
    assert.ok(existsSync(tracer.path!));
    removeDir(dir);
  });

  test("Tracer applies the user's redaction patterns to short names, keys and outcomes too", async () => {
    const { dir, tracer } = newTracer({ redact: { patterns: [/\bACC-\d{6}\b/] } });
    tracer.step("ACC-123456", { note: "ACC-111111" }, (step) => {
      step.log({ accounts: new Map([["ACC-654321", 1]]) });
    });
    const manual = tracer.step("x").start();
    manual.finish("ACC-222222");
    await tracer.close();
    const text = readFileSync(tracer.path!, "utf8");
    assert.ok(!/ACC-\d/.test(text), text);
    // The name in the start and step lines and the summary, the context twice, the key, the outcome.
    assert.equal(text.match(/\[REDACTED\]/g)?.length, 7);
    removeDir(dir);
  });

  test("Tracer onError that throws does not reach the agent", async () => {
    const dir = tempDir();
    const file = join(dir, "f");
    writeFileSync(file, "");
    chmodSync(file, 0o600);
    const tracer = new Tracer("agent", {
      traceDir: join(file, "x"),
      onError: () => {
        throw new Error("hook broke");
      },
    });
    assert.equal(tracer.step("work", () => 1), 1);
    await tracer.close();
    removeDir(dir);
  });
});

describe("Tracer and the one session model", () => {
  test("Tracer.summary() counts other outcomes: steps = ok + errors + other, as stats does (issue 11 #17)", async () => {
    const { dir, tracer } = newTracer();
    tracer.step("a", () => {});
    tracer.step("b").finish("skipped");
    tracer.step("c").fail("boom");
    const summary = tracer.summary();
    assert.equal(summary.other, 1);
    assert.equal(summary.steps, summary.ok + summary.errors + summary.other);
    await tracer.close();
    const session = await readSession(tracer.path!);
    assert.equal(session.summary.other, 1);
    const report = await collectStats(listTraceFiles(dir).files);
    assert.equal(report.other, session.summary.other);
    removeDir(dir);
  });

  test('Tracer.summary() and the end line keep a step named "__proto__" (issue 11 #8)', async () => {
    const { dir, tracer, records } = newTracer();
    tracer.step("__proto__", () => {});
    tracer.step("constructor", () => {});
    const byName = tracer.summary().by_name;
    assert.ok(Object.hasOwn(byName, "__proto__"), "an own key");
    assert.equal(byName["__proto__"].count, 1);
    assert.equal(byName["constructor"].count, 1);
    assert.equal(Object.getPrototypeOf(byName), Object.prototype);
    await tracer.close();
    const end = records().at(-1)!;
    const written = (end.summary as { by_name: Record<string, { count: number }> }).by_name;
    assert.ok(Object.hasOwn(written, "__proto__"), "written in the end line");
    const read = (await readSession(tracer.path!)).summary.by_name;
    assert.ok(Object.hasOwn(read, "__proto__"), "read back");
    assert.equal(read["__proto__"].count, 1);
    removeDir(dir);
  });

  test("Tracer.step() after close() is neither counted nor written, and reported once through onError (issue 11 #14)", async () => {
    const { dir, tracer, errors, records } = newTracer();
    tracer.step("before", () => {});
    await tracer.close();
    const atClose = tracer.summary();
    assert.equal(tracer.step("late", () => 7), 7, "the agent's callback still runs");
    tracer.step("later").finish();
    assert.deepEqual(tracer.summary(), atClose);
    assert.equal(errors.length, 1, errors.map((e) => e.message).join("\n"));
    assert.match(errors[0].message, /closed/);
    assert.ok(!readFileSync(tracer.path!, "utf8").includes("late"));
    assert.equal(records().at(-1)!.type, "end");
    removeDir(dir);
  });

  for (const autoSave of [true, false]) {
    test(`Tracer.save() after close() with a step in flight says the state the file says, autoSave ${autoSave} (issue 11 #7)`, async () => {
      const { dir, tracer } = newTracer({ autoSave });
      tracer.step("done", () => {});
      tracer.step("stuck").start();
      await tracer.close();
      const path = (await tracer.save(join(dir, "snapshot.json")))!;
      const snapshot = JSON.parse(readFileSync(path, "utf8"));
      assert.equal(snapshot.state, "complete");
      assert.equal(snapshot.summary.in_flight, 1);
      assert.equal((await readSession(path)).state, "complete");
      removeDir(dir);
    });
  }

  test("Tracer.save() before close() writes a snapshot that stays running only while its writer lives (issue 11 #6)", async () => {
    const { dir, tracer } = newTracer();
    tracer.step("scan", () => {});
    const path = (await tracer.save())!;
    const snapshot = JSON.parse(readFileSync(path, "utf8"));
    assert.equal(snapshot.state, "running");
    assert.equal((await readSession(path)).state, "running", "its writer (this process) is alive");
    // The same snapshot from a writer that cannot be checked (another machine): running for two minutes, then not.
    const orphanPath = join(dir, "agent_20260101_000000_orphan.json");
    writeFileSync(orphanPath, JSON.stringify({ ...snapshot, host: "elsewhere" }));
    assert.equal((await readSession(orphanPath)).state, "running");
    assert.equal((await readSession(orphanPath, { now: Date.now() + 180_000 })).state, "crashed");
    // And from a process of this machine that is gone.
    const gonePath = join(dir, "agent_20260101_000000_gone.json");
    writeFileSync(gonePath, JSON.stringify({ ...snapshot, pid: 2 ** 22 + 17 }));
    assert.equal((await readSession(gonePath)).state, "crashed");
    await tracer.close();
    const after = (await tracer.save())!;
    assert.equal(JSON.parse(readFileSync(after, "utf8")).state, "complete", "saved after close(): complete");
    assert.match(readFileSync((await tracer.saveMarkdown())!, "utf8"), /complete/);
    removeDir(dir);
  });
});

describe('Tracer with compat: "ai-decision-tracer" (issue 11 #19a)', () => {
  // The original Python tracer's step line, as in tests/testdata/python-seed: these fields, in this order.
  const ORIGINAL_FIELDS = ["name", "context", "started_at", "finished_at", "duration_ms", "outcome", "error", "logs"];
  const seedLine = readFileSync(
    join(import.meta.dirname!, "testdata", "python-seed", "trading_agent_20261124_220803.jsonl"),
    "utf8",
  ).split("\n")[0];

  test('new Tracer() with compat: "ai-decision-tracer" writes only the original\'s step lines', async () => {
    assert.deepEqual(Object.keys(JSON.parse(seedLine)), ORIGINAL_FIELDS, "the seed is what this test assumes");
    const { dir, tracer, records } = newTracer({ compat: "ai-decision-tracer", meta: { model: "m" } });
    assert.match(tracer.path!, /agent_\d{8}_\d{6}\.jsonl$/, "the original's file name");
    await tracer.step("research", { topic: "tides" }, async () => {
      await tracer.step("fetch", { url: "a" }, (step) => {
        step.usage({ model: "gpt-4o-mini", input_tokens: 10, output_tokens: 2 });
      });
      tracer.step("decide", (step) => step.decide("WRITE", { reason: "enough sources" }));
    });
    tracer.step("stuck").start(); // in flight at close: the original's format cannot say so
    tracer.step("skip").finish("skipped");
    assert.throws(() =>
      tracer.step("fail", () => {
        throw new Error("boom");
      })
    );
    await tracer.close();
    const lines = records();
    // What the original's CLI needs of every line (it takes each line for a step): no session, start or end line.
    assert.equal(lines.length, 5, JSON.stringify(lines));
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).slice(0, ORIGINAL_FIELDS.length), ORIGINAL_FIELDS);
      assert.equal(line.type, undefined);
      assert.equal(typeof line.name, "string");
      assert.equal(typeof line.duration_ms, "number");
      assert.ok(line.outcome === "ok" || line.outcome === "error" || line.outcome === "skipped");
      for (const field of ["started_at", "finished_at"]) {
        assert.equal(typeof line[field], typeof JSON.parse(seedLine)[field]);
      }
    }
    assert.deepEqual(lines.map((line) => line.name), ["fetch", "decide", "research", "skip", "fail"]);
    // Our readers read it fully: nesting, decisions, usage, totals.
    const session = await readSession(tracer.path!, { now: Date.now() + 180_000 });
    assert.equal(session.state, "complete");
    assert.equal(session.summary.steps, 5);
    assert.equal(session.summary.errors, 1);
    assert.equal(session.summary.other, 1);
    assert.equal(session.summary.input_tokens, 10);
    const research = session.steps.find((step) => step.name === "research")!;
    assert.deepEqual(
      session.steps.filter((step) => step.parent_id === research.id).map((step) => step.name).sort(),
      ["decide", "fetch"],
    );
    assert.equal(session.steps.find((step) => step.name === "decide")!.decision?.reason, "enough sources");
    assert.equal(session.warnings.length, 0);
    // The tracer's own reports know what the file cannot say.
    const snapshot = JSON.parse(readFileSync((await tracer.save())!, "utf8"));
    assert.equal(snapshot.state, "complete");
    assert.deepEqual(snapshot.meta, { model: "m" });
    removeDir(dir);
  });

  test("new Tracer() refuses an unknown compat with a RangeError", () => {
    assert.throws(
      () => new Tracer("agent", { autoSave: false, compat: "langfuse" as "ai-decision-tracer" }),
      RangeError,
    );
  });
});

test("Tracer.close({ endTime }) ends a session recorded after the fact when it ended, never before it began", async () => {
  const dir = tempDir();
  try {
    const startedAt = Date.UTC(2026, 0, 2, 3, 4, 5, 250);
    const early = new Tracer("replayed", { traceDir: dir, startedAt });
    early.step("plan", {}, { startTime: startedAt }).finish("ok", { endTime: startedAt + 40 });
    await early.close({ endTime: startedAt + 40 });
    assert.equal(readRecords(early.path!).at(-1)!.finished_at, (startedAt + 40) / 1000);
    const session = await readSession(early.path!);
    assert.ok(Math.abs(session.finished_at! - session.started_at! - 0.04) < 1e-6, String(session.finished_at));
    // An end before the start is the start; a bad value is "now", as for a step.
    const before = new Tracer("replayed", { traceDir: dir, startedAt });
    await before.close({ endTime: startedAt - 5_000 });
    assert.equal(readRecords(before.path!).at(-1)!.finished_at, startedAt / 1000);
    const bad = new Tracer("replayed", { traceDir: dir, startedAt });
    const t = Date.now() / 1000;
    await bad.close({ endTime: Number.NaN });
    assert.ok((readRecords(bad.path!).at(-1)!.finished_at as number) >= t);
  } finally {
    removeDir(dir);
  }
});

test("Tracer startedAt dates a session recorded after the fact: its session line and its id", async () => {
  const dir = tempDir();
  try {
    const startedAt = Date.UTC(2026, 0, 2, 3, 4, 5, 250);
    const tracer = new Tracer("replayed", { traceDir: dir, startedAt });
    await tracer.close();
    assert.match(tracer.sessionId, /^20260102_030405_/);
    const [session] = readRecords(tracer.path!);
    assert.equal(session.started_at, startedAt / 1000);
    // Past the last date a Date holds (8.64e15 ms), no session id or time can be written.
    for (const bad of [Number.NaN, -1, Infinity, 8.64e15 + 1, 1e300]) {
      assert.throws(() => new Tracer("replayed", { traceDir: dir, startedAt: bad }), RangeError);
    }
  } finally {
    removeDir(dir);
  }
});

test("Tracer takes a step or session time no Date can hold (1e300, -1) as now, as it takes NaN", async () => {
  const dir = tempDir();
  try {
    const t = Date.now() / 1000;
    const tracer = new Tracer("replayed", { traceDir: dir });
    tracer.step("far", {}, { startTime: 1e300 }).finish("ok", { endTime: 1e300 });
    tracer.step("before_1970", {}, { startTime: -1 }).finish("ok", { endTime: -1 });
    await tracer.close({ endTime: 1e300 });
    const times = readRecords(tracer.path!).flatMap((r) =>
      [r.started_at, r.finished_at].filter((v): v is number => typeof v === "number")
    );
    assert.ok(times.length >= 6, String(times));
    for (const time of times) assert.ok(time >= t && time <= Date.now() / 1000 + 1, `a time of now: ${time}`);
  } finally {
    removeDir(dir);
  }
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import {
  IN_FLIGHT_MESSAGE,
  type OtlpAnyValue,
  type OtlpExportRequest,
  type OtlpKeyValue,
  type OtlpSpan,
  toOtlp,
} from "../src/otlp/to_otlp.ts";
import { readSession } from "../src/read/session_reader.ts";
import { VERSION } from "../src/version.ts";
import { decode, type Plain } from "./_otlp_proto.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURE = `${ROOT}/tests/testdata/otlp_agent_20260301_120000_ab12.jsonl`;
const SEED_DIR = `${ROOT}/tests/testdata/python-seed`;

// ---------------------------------------------------------------------------
// Helpers to look into a document

function spansOf(document: OtlpExportRequest): OtlpSpan[] {
  return document.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

function attr(attributes: OtlpKeyValue[], key: string): OtlpAnyValue | undefined {
  const found = attributes.filter((a) => a.key === key);
  assert.ok(found.length <= 1, `attribute ${key} appears once`);
  return found[0]?.value;
}

/** The span of the step named `name` (by `ai_trace.step.name`), or the span with that name. */
function span(document: OtlpExportRequest, name: string): OtlpSpan {
  const spans = spansOf(document);
  const found =
    spans.find((s) => s.attributes.some((a) => a.key === "ai_trace.step.name" && a.value.stringValue === name)) ??
      spans.find((s) => s.name === name);
  assert.ok(found, `span ${name} exists`);
  return found;
}

async function fixtureDocument(): Promise<OtlpExportRequest> {
  return toOtlp(await readSession(FIXTURE, { now: 0 }));
}

// ---------------------------------------------------------------------------

describe("toOtlp()", () => {
  test("toOtlp() output decodes with the official OTLP protobuf definitions", async () => {
    const document = await fixtureDocument();
    decode(document);
    assert.equal(document.resourceSpans.length, 1);
    assert.equal(document.resourceSpans[0].scopeSpans.length, 1);
    assert.deepEqual(document.resourceSpans[0].scopeSpans[0].scope, { name: "ai-trace", version: VERSION });
    assert.equal(spansOf(document).length, 7, "a root span and six steps");
  });

  test("toOtlp() output check rejects what the OTLP JSON encoding does not allow", async () => {
    // The strict reader above is what the other tests rely on: make sure it bites.
    const spoil = async (change: (s: Plain) => void): Promise<OtlpExportRequest> => {
      const document = JSON.parse(JSON.stringify(await fixtureDocument()));
      change(document.resourceSpans[0].scopeSpans[0].spans[1]);
      return document;
    };
    const bad: [string, (s: Plain) => void][] = [
      ["an unknown span field", (s) => (s.duration = 1)],
      ["a base64 id", (s) => (s.spanId = "AAECAwQFBgc=")],
      ["a time as a number", (s) => (s.startTimeUnixNano = 1772366400600001000)],
      ["an int attribute as a number", (s) => (s.attributes = [{ key: "n", value: { intValue: 3 } }])],
      [
        "two values in one AnyValue",
        (s) => (s.attributes = [{ key: "n", value: { intValue: "3", stringValue: "3" } }]),
      ],
      ["a kind by name", (s) => (s.kind = "SPAN_KIND_CLIENT")],
    ];
    for (const [what, change] of bad) {
      const document = await spoil(change);
      assert.throws(() => decode(document), assert.AssertionError, what);
    }
  });

  test("toOtlp() derives valid, unique, deterministic ids", async () => {
    const first = await fixtureDocument();
    const again = await fixtureDocument();
    assert.deepEqual(again, first, "re-exporting gives the same document");
    const spans = spansOf(first);
    const traceId = spans[0].traceId;
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(traceId, "0".repeat(32));
    for (const s of spans) {
      assert.equal(s.traceId, traceId, "one trace per session");
      assert.match(s.spanId, /^[0-9a-f]{16}$/);
      assert.notEqual(s.spanId, "0".repeat(16));
    }
    assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length, "span ids are unique");

    const session = await readSession(FIXTURE, { now: 0 });
    const other = toOtlp({ ...session, session_id: "20260301_120000_cd34" });
    assert.notEqual(spansOf(other)[0].traceId, traceId, "another session is another trace");
    const otherAgent = toOtlp({ ...session, agent: "another agent" });
    assert.notEqual(spansOf(otherAgent)[0].traceId, traceId, "another agent is another trace");
  });

  test("toOtlp() links spans as the steps were nested", async () => {
    const document = await fixtureDocument();
    const root = span(document, "invoke_agent otlp agent");
    assert.equal(root.parentSpanId, undefined);
    const plan = span(document, "plan");
    assert.equal(plan.parentSpanId, root.spanId);
    for (const child of ["search_web", "fetch_quote", "decide"]) {
      assert.equal(span(document, child).parentSpanId, plan.spanId, `${child} is a child of plan`);
    }
    assert.equal(span(document, "place_order").parentSpanId, root.spanId);
    assert.equal(span(document, "report").parentSpanId, root.spanId);
  });

  test("toOtlp() writes times as exact nanosecond strings", async () => {
    const document = await fixtureDocument();
    const search = span(document, "search_web");
    assert.equal(search.startTimeUnixNano, "1772366400700002000");
    assert.equal(search.endTimeUnixNano, "1772366401250003000");
    assert.deepEqual(search.events.map((e) => e.timeUnixNano), ["1772366400800004000", "1772366401200000000"]);
    const root = span(document, "invoke_agent otlp agent");
    assert.equal(root.startTimeUnixNano, "1772366400500000000", "the session's start");
    assert.equal(root.endTimeUnixNano, "1772366403500000000", "the session's end");
    for (const s of spansOf(document)) {
      assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano), `${s.name} ends after it starts`);
    }
  });

  test("toOtlp() marks a failed step as an error with an exception event", async () => {
    const document = await fixtureDocument();
    const failed = span(document, "fetch_quote");
    assert.deepEqual(failed.status, { code: 2, message: "upstream timed out" });
    assert.deepEqual(attr(failed.attributes, "error.type"), { stringValue: "TimeoutError" });
    const exception = failed.events.find((e) => e.name === "exception");
    assert.ok(exception);
    assert.equal(exception.timeUnixNano, failed.endTimeUnixNano);
    assert.deepEqual(exception.attributes, [
      { key: "exception.type", value: { stringValue: "TimeoutError" } },
      { key: "exception.message", value: { stringValue: "upstream timed out" } },
      {
        key: "exception.stacktrace",
        value: { stringValue: "TimeoutError: upstream timed out\n    at fetchQuote (agent.ts:10:5)" },
      },
    ]);
    assert.deepEqual(span(document, "plan").status, { code: 1 });
    assert.deepEqual(span(document, "report").status, {}, "a user's own outcome leaves the status unset");
    assert.deepEqual(attr(span(document, "report").attributes, "ai_trace.outcome"), { stringValue: "skipped" });
  });

  test("toOtlp() exports an in-flight step as an error that ends at the last known time", async () => {
    const document = await fixtureDocument();
    const open = span(document, "place_order");
    assert.deepEqual(open.status, { code: 2, message: IN_FLIGHT_MESSAGE });
    assert.deepEqual(attr(open.attributes, "ai_trace.in_flight"), { boolValue: true });
    assert.equal(open.startTimeUnixNano, "1772366402900000000");
    assert.equal(open.endTimeUnixNano, "1772366403500000000");
    assert.equal(attr(open.attributes, "ai_trace.outcome"), undefined);
  });

  test("toOtlp() puts the agent, process and meta on the resource", async () => {
    const document = await fixtureDocument();
    const attributes = document.resourceSpans[0].resource.attributes;
    assert.deepEqual(attr(attributes, "service.name"), { stringValue: "otlp agent" });
    assert.deepEqual(attr(attributes, "ai_trace.session_id"), { stringValue: "20260301_120000_ab12" });
    assert.deepEqual(attr(attributes, "process.pid"), { intValue: "4242" });
    assert.deepEqual(attr(attributes, "host.name"), { stringValue: "build-box" });
    assert.deepEqual(attr(attributes, "process.runtime.name"), { stringValue: "deno" });
    assert.deepEqual(attr(attributes, "process.runtime.version"), { stringValue: "2.9.6" });
    assert.deepEqual(attr(attributes, "ai_trace.meta.model"), { stringValue: "claude-haiku-4-5" });
    assert.deepEqual(attr(attributes, "ai_trace.meta.config"), { stringValue: '{"temperature":0.2,"retries":3}' });
    assert.deepEqual(attr(attributes, "ai_trace.meta.tags"), {
      arrayValue: { values: [{ stringValue: "prod" }, { stringValue: "eu" }] },
    });
    assert.equal(attr(attributes, "ai_trace.meta.owner"), undefined, "null values are left out");
  });

  test("toOtlp() writes GenAI attributes for model calls and tools", async () => {
    const document = await fixtureDocument();
    const decide = span(document, "decide");
    assert.equal(decide.name, "chat claude-haiku-4-5");
    assert.equal(decide.kind, 3, "a model call is a CLIENT span");
    assert.deepEqual(attr(decide.attributes, "gen_ai.operation.name"), { stringValue: "chat" });
    assert.deepEqual(attr(decide.attributes, "gen_ai.request.model"), { stringValue: "claude-haiku-4-5" });
    assert.deepEqual(attr(decide.attributes, "gen_ai.usage.input_tokens"), { intValue: "1200" });
    assert.deepEqual(attr(decide.attributes, "gen_ai.usage.output_tokens"), { intValue: "85" });
    assert.deepEqual(attr(decide.attributes, "ai_trace.usage.cost_usd"), { doubleValue: 0.0021 });
    assert.deepEqual(attr(decide.attributes, "gen_ai.conversation.id"), { stringValue: "20260301_120000_ab12" });

    const tool = span(document, "search_web");
    assert.equal(tool.name, "execute_tool search_web");
    assert.equal(tool.kind, 1);
    assert.deepEqual(attr(tool.attributes, "gen_ai.operation.name"), { stringValue: "execute_tool" });
    assert.deepEqual(attr(tool.attributes, "gen_ai.tool.name"), { stringValue: "search_web" });
    assert.deepEqual(attr(tool.attributes, "ai_trace.step.kind"), { stringValue: "tool" });
    assert.deepEqual(attr(tool.attributes, "ai_trace.step.name"), { stringValue: "search_web" });
    assert.deepEqual(attr(tool.attributes, "gen_ai.tool.call.arguments"), {
      stringValue: '{"query":"BTC price","filters":{"site":"example.com","max":5}}',
    });
    assert.deepEqual(attr(tool.attributes, "gen_ai.tool.call.result"), {
      stringValue: '{"note":"cached","sources":["a","b"],"missing":null}',
    });

    const root = span(document, "invoke_agent otlp agent");
    assert.deepEqual(attr(root.attributes, "gen_ai.operation.name"), { stringValue: "invoke_agent" });
    assert.deepEqual(attr(root.attributes, "gen_ai.agent.name"), { stringValue: "otlp agent" });
    assert.deepEqual(attr(root.attributes, "gen_ai.conversation.id"), { stringValue: "20260301_120000_ab12" });
    assert.deepEqual(attr(root.attributes, "ai_trace.summary.input_tokens"), { intValue: "1200" });
    assert.deepEqual(root.status, { code: 1 }, "a complete session");
    const plan = span(document, "plan");
    assert.equal(plan.name, "plan", "a plain step keeps its name");
    assert.deepEqual(attr(plan.attributes, "gen_ai.operation.name"), { stringValue: "invoke_workflow" });
    assert.deepEqual(attr(plan.attributes, "openinference.span.kind"), { stringValue: "CHAIN" });
  });

  test("toOtlp() writes the decision as attributes and an ai_trace.decision event, and the context one key each", async () => {
    const document = await fixtureDocument();
    const decide = span(document, "decide");
    assert.deepEqual(attr(decide.attributes, "ai_trace.decision.action"), { stringValue: "ENTER_LONG" });
    assert.deepEqual(attr(decide.attributes, "ai_trace.decision.reason"), { stringValue: "RSI below 30" });
    assert.deepEqual(attr(decide.attributes, "ai_trace.decision.confidence"), { doubleValue: 0.87 });
    assert.deepEqual(attr(decide.attributes, "ai_trace.decision.alternatives"), {
      arrayValue: { values: [{ stringValue: "HOLD" }, { stringValue: "EXIT" }] },
    });
    const event = decide.events.find((e) => e.name === "ai_trace.decision");
    assert.ok(event, "a decision event");
    assert.equal(event.timeUnixNano, decide.endTimeUnixNano);
    assert.deepEqual(event.attributes.map((a) => a.key), [
      "ai_trace.decision.action",
      "ai_trace.decision.reason",
      "ai_trace.decision.confidence",
      "ai_trace.decision.alternatives",
    ]);
    assert.deepEqual(attr(decide.attributes, "ai_trace.context.price"), { doubleValue: 64000.5 });
    assert.deepEqual(attr(decide.attributes, "ai_trace.context.big"), { doubleValue: 1e30 });
    assert.deepEqual(attr(decide.attributes, "ai_trace.context.label"), { stringValue: 'héllo 🚀 "q"' });
    assert.deepEqual(attr(decide.attributes, "ai_trace.context.signals"), {
      stringValue: '[{"name":"rsi","value":28},{"name":"macd","value":-1.5}]',
    }, "nested values are JSON text, as the conventions do");
    const tool = span(document, "search_web");
    assert.deepEqual(attr(tool.attributes, "ai_trace.context.filters"), {
      stringValue: '{"site":"example.com","max":5}',
    });
    assert.deepEqual(attr(tool.attributes, "ai_trace.step.id"), { intValue: "2" });
    assert.deepEqual(attr(tool.attributes, "ai_trace.step.parent_id"), { intValue: "1" });
  });

  test("toOtlp() turns log entries into events with their fields", async () => {
    const document = await fixtureDocument();
    const tool = span(document, "search_web");
    assert.deepEqual(tool.events.map((e) => e.name), ["log", "log"]);
    assert.deepEqual(tool.events[0].attributes, [
      { key: "hits", value: { intValue: "3" } },
      { key: "top", value: { stringValue: '{"url":"https://example.com/a","score":0.9}' } },
    ]);
    assert.deepEqual(tool.events[1].attributes, [
      { key: "note", value: { stringValue: "cached" } },
      { key: "sources", value: { arrayValue: { values: [{ stringValue: "a" }, { stringValue: "b" }] } } },
    ]);
  });

  test("toOtlp() keeps span ids unique when a file repeats a step id", async () => {
    const session = await readSession(FIXTURE, { now: 0 });
    const copy = structuredClone(session.steps[1]);
    copy.name = "repeated";
    const document = toOtlp({ ...session, steps: [...session.steps, copy] });
    decode(document);
    const spans = spansOf(document);
    assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length);
  });

  for (const name of readdirSync(SEED_DIR).filter((n) => n.endsWith(".jsonl") || n.endsWith(".json")).sort()) {
    test(`toOtlp() exports the original tracer's file "${name}"`, async () => {
      const session = await readSession(`${SEED_DIR}/${name}`, { now: 0 });
      const document = toOtlp(session);
      decode(document);
      const spans = spansOf(document);
      assert.equal(spans.length, session.steps.length + 1);
      assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length);
      for (const s of spans.slice(1)) {
        assert.equal(s.parentSpanId, spans[0].spanId, "steps without ids are top-level");
        assert.notEqual(s.startTimeUnixNano, "0");
      }
      assert.deepEqual(toOtlp(await readSession(`${SEED_DIR}/${name}`, { now: 0 })), document, "deterministic");
    });
  }

  test("toOtlp() gives the same trace for a session's JSONL file and its JSON snapshot", async () => {
    const jsonl = toOtlp(await readSession(`${SEED_DIR}/trading_agent_20261124_220803.jsonl`, { now: 0 }));
    const json = toOtlp(await readSession(`${SEED_DIR}/trading_agent_20261124_220803.json`, { now: 0 }));
    assert.deepEqual(spansOf(json).map((s) => [s.traceId, s.spanId]), spansOf(jsonl).map((s) => [s.traceId, s.spanId]));
  });

  test("toOtlp() names the scope with the package's version", () => {
    const deno = JSON.parse(readFileSync(`${ROOT}/deno.json`, "utf8"));
    const npm = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8"));
    assert.equal(VERSION, deno.version);
    assert.equal(VERSION, npm.version);
  });
});

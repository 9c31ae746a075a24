import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as genai from "@opentelemetry/semantic-conventions/incubating";
import {
  MimeType,
  OpenInferenceSpanKind,
  SemanticConventions as OI,
} from "@arizeai/openinference-semantic-conventions";
import { convertGenAISpanAttributesToOpenInferenceSpanAttributes } from "@arizeai/openinference-genai";
import type { Attributes, AttributeValue } from "@opentelemetry/api";
import {
  type OtlpAnyValue,
  type OtlpExportRequest,
  type OtlpKeyValue,
  type OtlpSpan,
  toOtlp,
  type ToOtlpOptions,
} from "../src/otlp/to_otlp.ts";
import { encodeOtlpRequest } from "../src/otlp/otlp_protobuf.ts";
import { readSession } from "../src/read/session_reader.ts";
import type { Session } from "../src/format/types.ts";
import { decode, decodeProtobuf, expectedFromJson } from "./_otlp_proto.ts";

const SESSION_ID = "20260301_120000_cv01";
const T = 1772366400;

/** One step of each kind, with what integrations record (response id, finish reason, tool call id). */
function lines(): object[] {
  const step = (id: number, parent: number | null, name: string, extra: object) => ({
    type: "step",
    id,
    parent_id: parent,
    name,
    context: {},
    started_at: T + id,
    finished_at: T + id + 0.5,
    duration_ms: 500,
    outcome: "ok",
    error: null,
    logs: [],
    ...extra,
  });
  return [
    { type: "session", schema: "ai-trace/1", agent: "researcher", session_id: SESSION_ID, started_at: T, meta: {} },
    step(1, null, "research", { kind: "agent", context: { topic: "otlp" } }),
    step(2, 1, "ask_model", {
      kind: "llm",
      context: { prompt: "Summarize", messages: [{ role: "user", content: "hi" }] },
      logs: [{ _t: T + 2.4, text: "Summary…", response_id: "msg_01ABC", finish_reason: "end_turn" }],
      usage: {
        model: "claude-haiku-4-5",
        response_model: "claude-haiku-4-5-20251001",
        provider: "anthropic",
        input_tokens: 1200,
        output_tokens: 300,
        cache_read_input_tokens: 800,
        cache_creation_input_tokens: 100,
        reasoning_tokens: 50,
        cost_usd: 0.0027,
      },
    }),
    step(3, 1, "web_search", {
      kind: "tool",
      context: { args: [{ q: "otlp protobuf" }] },
      logs: [{ _t: T + 3.1, tool_call_id: "call_42" }, { _t: T + 3.4, result: ["a", "b"] }],
    }),
    step(4, 1, "embed", {
      kind: "embedding",
      usage: { model: "text-embedding-3-small", provider: "openai", input_tokens: 12 },
    }),
    step(5, 1, "fetch_docs", { kind: "retrieval", context: { query: "otlp" } }),
    step(6, 1, "check_output", { kind: "guardrail", logs: [{ _t: T + 6.2, triggered: false }] }),
    step(7, 1, "decide", {
      context: { price: 1 },
      decision: { action: "PUBLISH", reason: "complete", confidence: 0.9 },
    }),
    { type: "end", finished_at: T + 10, summary: {} },
  ];
}

async function withSession<T>(records: object[], fn: (session: Session) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "ai-trace-conventions-"));
  try {
    const path = join(dir, `researcher_${SESSION_ID}.jsonl`);
    writeFileSync(path, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    return await fn(await readSession(path, { now: 0 }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spansOf(document: OtlpExportRequest): OtlpSpan[] {
  return document.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
}

function stepSpan(document: OtlpExportRequest, name: string): OtlpSpan {
  const found = spansOf(document).find((s) =>
    s.attributes.some((a) => a.key === "ai_trace.step.name" && a.value.stringValue === name)
  );
  assert.ok(found, `a span for step ${name}`);
  return found;
}

function attr(span: OtlpSpan, key: string): OtlpAnyValue | undefined {
  const found = span.attributes.filter((a) => a.key === key);
  assert.ok(found.length <= 1, `${key} appears once`);
  return found[0]?.value;
}

function text(span: OtlpSpan, key: string): string | undefined {
  return attr(span, key)?.stringValue;
}

function int(span: OtlpSpan, key: string): number | undefined {
  const value = attr(span, key)?.intValue;
  return value === undefined ? undefined : Number(value);
}

/** OTLP key-values as the OpenTelemetry API's `Attributes` (what span processors and the converter see). */
function asAttributes(list: OtlpKeyValue[]): Attributes {
  const out: Attributes = {};
  const plain = (value: OtlpAnyValue): AttributeValue | undefined => {
    if (value.stringValue !== undefined) return value.stringValue;
    if (value.boolValue !== undefined) return value.boolValue;
    if (value.intValue !== undefined) return Number(value.intValue);
    if (value.doubleValue !== undefined) return value.doubleValue;
    if (value.arrayValue !== undefined) {
      return value.arrayValue.values.map((item) => plain(item)) as AttributeValue;
    }
    return undefined;
  };
  for (const { key, value } of list) {
    const converted = plain(value);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

const GEN_AI_NAMES = new Set(
  Object.entries(genai).filter(([name]) => name.startsWith("ATTR_GEN_AI_")).map(([, value]) => value as string),
);
const OI_NAMES = new Set(Object.values(OI) as string[]);

describe("toOtlp() and the conventions", () => {
  test("toOtlp() writes the GenAI attributes under the names of @opentelemetry/semantic-conventions", async () => {
    await withSession(lines(), (session) => {
      const document = toOtlp(session);
      const llm = stepSpan(document, "ask_model");
      assert.equal(llm.name, "chat claude-haiku-4-5");
      assert.equal(llm.kind, 3);
      assert.equal(text(llm, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_CHAT);
      assert.equal(text(llm, genai.ATTR_GEN_AI_PROVIDER_NAME), "anthropic");
      assert.equal(text(llm, genai.ATTR_GEN_AI_REQUEST_MODEL), "claude-haiku-4-5");
      assert.equal(text(llm, genai.ATTR_GEN_AI_RESPONSE_MODEL), "claude-haiku-4-5-20251001");
      assert.equal(text(llm, genai.ATTR_GEN_AI_RESPONSE_ID), "msg_01ABC");
      assert.deepEqual(attr(llm, genai.ATTR_GEN_AI_RESPONSE_FINISH_REASONS), {
        arrayValue: { values: [{ stringValue: "end_turn" }] },
      });
      assert.equal(int(llm, genai.ATTR_GEN_AI_USAGE_INPUT_TOKENS), 1200);
      assert.equal(int(llm, genai.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS), 300);
      assert.equal(int(llm, genai.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS), 800);
      assert.equal(int(llm, genai.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS), 100);
      assert.equal(int(llm, genai.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS), 50);
      assert.equal(text(llm, genai.ATTR_GEN_AI_CONVERSATION_ID), SESSION_ID);

      const tool = stepSpan(document, "web_search");
      assert.equal(tool.name, "execute_tool web_search");
      assert.equal(text(tool, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL);
      assert.equal(text(tool, genai.ATTR_GEN_AI_TOOL_NAME), "web_search");
      assert.equal(text(tool, genai.ATTR_GEN_AI_TOOL_CALL_ID), "call_42");
      assert.equal(text(tool, genai.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS), '[{"q":"otlp protobuf"}]');
      assert.equal(text(tool, genai.ATTR_GEN_AI_TOOL_CALL_RESULT), '["a","b"]');

      const embed = stepSpan(document, "embed");
      assert.equal(embed.name, "embeddings text-embedding-3-small");
      assert.equal(text(embed, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS);

      const agent = stepSpan(document, "research");
      assert.equal(agent.name, "invoke_agent research");
      assert.equal(text(agent, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT);
      assert.equal(text(agent, genai.ATTR_GEN_AI_AGENT_NAME), "research");

      const retrieval = stepSpan(document, "fetch_docs");
      assert.equal(text(retrieval, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL);
      const plain = stepSpan(document, "decide");
      assert.equal(plain.name, "decide");
      assert.equal(text(plain, genai.ATTR_GEN_AI_OPERATION_NAME), genai.GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW);
      assert.equal(text(plain, genai.ATTR_GEN_AI_WORKFLOW_NAME), "decide");

      const root = spansOf(document)[0];
      assert.equal(root.name, "invoke_agent researcher");
      assert.equal(text(root, genai.ATTR_GEN_AI_CONVERSATION_ID), SESSION_ID);

      for (const span of spansOf(document)) {
        for (const { key } of span.attributes) {
          if (key.startsWith("gen_ai.")) assert.ok(GEN_AI_NAMES.has(key), `${key} is a GenAI convention name`);
        }
      }
    });
  });

  test("toOtlp() writes the OpenInference attributes under the names of @arizeai/openinference-semantic-conventions", async () => {
    await withSession(lines(), (session) => {
      const document = toOtlp(session);
      const llm = stepSpan(document, "ask_model");
      assert.equal(text(llm, OI.OPENINFERENCE_SPAN_KIND), OpenInferenceSpanKind.LLM);
      assert.equal(text(llm, OI.LLM_MODEL_NAME), "claude-haiku-4-5-20251001");
      assert.equal(text(llm, OI.LLM_PROVIDER), "anthropic");
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_PROMPT), 1200);
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_COMPLETION), 300);
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_TOTAL), 1500);
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ), 800);
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_WRITE), 100);
      assert.equal(int(llm, OI.LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING), 50);
      assert.deepEqual(JSON.parse(text(llm, OI.INPUT_VALUE)!), {
        prompt: "Summarize",
        messages: [{ role: "user", content: "hi" }],
      });
      assert.equal(text(llm, OI.INPUT_MIME_TYPE), MimeType.JSON);
      assert.deepEqual(JSON.parse(text(llm, OI.OUTPUT_VALUE)!), {
        text: "Summary…",
        response_id: "msg_01ABC",
        finish_reason: "end_turn",
      }, "the last log");
      assert.equal(text(llm, OI.OUTPUT_MIME_TYPE), MimeType.JSON);
      assert.equal(text(llm, OI.SESSION_ID), SESSION_ID);
      assert.deepEqual(JSON.parse(text(llm, OI.METADATA)!), { step_id: 2, parent_id: 1, kind: "llm", outcome: "ok" });

      const decide = stepSpan(document, "decide");
      assert.equal(text(decide, OI.OPENINFERENCE_SPAN_KIND), OpenInferenceSpanKind.CHAIN);
      assert.deepEqual(JSON.parse(text(decide, OI.OUTPUT_VALUE)!), {
        action: "PUBLISH",
        reason: "complete",
        confidence: 0.9,
      }, "the decision");
      assert.equal(text(stepSpan(document, "web_search"), OI.TOOL_NAME), "web_search");
      assert.equal(text(stepSpan(document, "embed"), OI.EMBEDDING_MODEL_NAME), "text-embedding-3-small");
      assert.equal(
        text(stepSpan(document, "check_output"), OI.OPENINFERENCE_SPAN_KIND),
        OpenInferenceSpanKind.GUARDRAIL,
      );
      assert.equal(text(stepSpan(document, "fetch_docs"), OI.OPENINFERENCE_SPAN_KIND), OpenInferenceSpanKind.RETRIEVER);
      assert.equal(text(stepSpan(document, "research"), OI.AGENT_NAME), "research");
      assert.equal(text(spansOf(document)[0], OI.OPENINFERENCE_SPAN_KIND), OpenInferenceSpanKind.AGENT);

      const kinds = new Set(Object.values(OpenInferenceSpanKind) as string[]);
      for (const span of spansOf(document)) {
        assert.ok(kinds.has(text(span, OI.OPENINFERENCE_SPAN_KIND)!), `${span.name} has an OpenInference span kind`);
        for (const { key } of span.attributes) {
          const ours = key.startsWith("ai_trace.") || key.startsWith("gen_ai.") || key.startsWith("error.");
          if (!ours) assert.ok(OI_NAMES.has(key), `${key} is an OpenInference convention name`);
        }
      }
    });
  });

  test("toOtlp() labels a span LLM only for a model call: Arize's own converter agrees on every kind", async () => {
    await withSession(lines(), async (session) => {
      const document = toOtlp(session, { conventions: "genai" });
      const labels: string[] = [];
      for (const span of spansOf(document)) {
        const ours = toOtlp(session).resourceSpans[0].scopeSpans[0].spans.find((s) => s.spanId === span.spanId)!;
        const meant = text(ours, OI.OPENINFERENCE_SPAN_KIND);
        const converted = convertGenAISpanAttributesToOpenInferenceSpanAttributes(asAttributes(span.attributes));
        const theirs = converted?.[OI.OPENINFERENCE_SPAN_KIND];
        labels.push(`${span.name}: ${theirs}`);
        if (meant === OpenInferenceSpanKind.GUARDRAIL) {
          // The GenAI conventions have no guardrail operation, so the converter cannot say GUARDRAIL; it says CHAIN.
          assert.equal(theirs, OpenInferenceSpanKind.CHAIN, span.name);
        } else {
          assert.equal(theirs, meant, `${span.name}: the converter says ${theirs}, we meant ${meant}`);
        }
      }
      assert.equal(labels.filter((label) => label.endsWith(": LLM")).length, 1, labels.join("\n"));
      // The original issue: plain steps were labelled LLM by the converter.
      const fixture = await readSession(
        join(import.meta.dirname!, "testdata", "otlp_agent_20260301_120000_ab12.jsonl"),
        { now: 0 },
      );
      for (const span of spansOf(toOtlp(fixture, { conventions: "genai" }))) {
        const converted = convertGenAISpanAttributesToOpenInferenceSpanAttributes(asAttributes(span.attributes));
        const isModelCall = span.name.startsWith("chat ");
        assert.equal(converted?.[OI.OPENINFERENCE_SPAN_KIND] === OpenInferenceSpanKind.LLM, isModelCall, span.name);
      }
    });
  });

  test("toOtlp() writes the conventions asked for: both by default, genai or openinference alone", async () => {
    await withSession(lines(), (session) => {
      const keys = (options?: ToOtlpOptions) =>
        new Set(spansOf(toOtlp(session, options)).flatMap((span) => span.attributes.map((a) => a.key)));
      const both = keys();
      assert.ok(both.has("gen_ai.operation.name") && both.has("openinference.span.kind"));
      assert.deepEqual(keys({ conventions: "both" }), both);
      const onlyGenai = keys({ conventions: "genai" });
      assert.ok(onlyGenai.has("gen_ai.request.model"));
      assert.deepEqual([...onlyGenai].filter((key) => OI_NAMES.has(key)), []);
      const onlyOi = keys({ conventions: "openinference" });
      assert.ok(onlyOi.has("llm.model_name"));
      assert.deepEqual([...onlyOi].filter((key) => key.startsWith("gen_ai.")), []);
      for (const key of ["ai_trace.step.name", "ai_trace.step.id", "ai_trace.decision.action"]) {
        assert.ok(onlyGenai.has(key) && onlyOi.has(key), `${key} is always written`);
      }
    });
  });

  test("toOtlp() output with every convention decodes with the official protos, as JSON and as protobuf", async () => {
    await withSession(lines(), (session) => {
      const document = toOtlp(session);
      decode(document);
      assert.deepEqual(decodeProtobuf(encodeOtlpRequest(document)), expectedFromJson(document));
    });
  });
});

describe("toOtlp() on hostile values (issue 11, defects 2 and 13)", () => {
  test("toOtlp() never writes an attribute key twice, in spans, events or the resource", async () => {
    const records = [
      {
        type: "session",
        schema: "ai-trace/1",
        agent: "dup",
        session_id: SESSION_ID,
        started_at: T,
        meta: { a: { b: 1 }, "a.b": 2 },
      },
      {
        type: "step",
        id: 1,
        parent_id: null,
        name: "s",
        context: { order: { qty: 2 }, "order.qty": 3 },
        started_at: T + 1,
        finished_at: T + 2,
        duration_ms: 1000,
        outcome: "ok",
        error: null,
        logs: [{ _t: T + 1.5, x: { y: 1 }, "x.y": 2 }],
      },
    ];
    await withSession(records, (session) => {
      const document = toOtlp(session);
      const lists: [string, OtlpKeyValue[]][] = [["resource", document.resourceSpans[0].resource.attributes]];
      for (const span of spansOf(document)) {
        lists.push([span.name, span.attributes]);
        for (const event of span.events) lists.push([`${span.name} event ${event.name}`, event.attributes]);
      }
      for (const [where, list] of lists) {
        const keys = list.map((a) => a.key);
        assert.equal(new Set(keys).size, keys.length, `${where}: ${keys.join(", ")}`);
      }
      const step = stepSpan(document, "s");
      assert.equal(text(step, "ai_trace.context.order"), '{"qty":2}');
      assert.equal(int(step, "ai_trace.context.order.qty"), 3);
    });
  });

  test("toOtlp() replaces times out of range with known ones and warns, never throws", async () => {
    const step = (id: number, started: number, finished: number, extra: object = {}) => ({
      type: "step",
      id,
      parent_id: null,
      name: `s${id}`,
      context: {},
      started_at: started,
      finished_at: finished,
      duration_ms: 1000,
      outcome: "ok",
      error: null,
      logs: [],
      ...extra,
    });
    const records = [
      { type: "session", schema: "ai-trace/1", agent: "times", session_id: SESSION_ID, started_at: T, meta: {} },
      step(1, 1795608000000000, T + 2), // epoch microseconds by mistake
      step(2, 1e300, 1e300),
      step(3, T + 3, 1e308, { logs: [{ _t: 1e300, note: "late" }] }),
      step(4, -5, T + 5, { duration_ms: 1e300 }),
      step(5, T + 5, T + 6),
    ];
    await withSession(records, (session) => {
      const warnings: string[] = [];
      const document = toOtlp(session, { onWarning: (message) => warnings.push(message) });
      const max = 2n ** 63n - 1n;
      for (const span of spansOf(document)) {
        for (const time of [span.startTimeUnixNano, span.endTimeUnixNano, ...span.events.map((e) => e.timeUnixNano)]) {
          assert.match(time, /^\d{1,19}$/, `${span.name}: ${time}`);
          assert.ok(BigInt(time) <= max, `${span.name}: ${time} fits an int64`);
          assert.ok(BigInt(time) >= BigInt(T) * 1_000_000_000n, `${span.name}: ${time} is a time of the session`);
        }
        assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano), span.name);
      }
      assert.equal(stepSpan(document, "s1").endTimeUnixNano, `${T + 2}000000000`, "the valid end is kept");
      assert.equal(stepSpan(document, "s1").startTimeUnixNano, `${T + 1}000000000`, "start = end - duration");
      assert.equal(stepSpan(document, "s5").startTimeUnixNano, `${T + 5}000000000`, "other steps untouched");
      assert.deepEqual(warnings.map((w) => w.split(":")[0]).sort(), [
        'step 1 "s1"',
        'step 2 "s2"',
        'step 2 "s2"',
        'step 3 "s3"',
        'step 3 "s3"',
        'step 4 "s4"',
      ]);
      assert.match(warnings.join("\n"), /started_at 1795608000000000 is not a time OTLP can carry/);
      assert.doesNotThrow(() => encodeOtlpRequest(document));
      decode(document);
    });
  });
});

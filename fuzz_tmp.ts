import fc from "fast-check";
import { mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import process from "node:process";
import { startServer } from "/work/wt/serve-attack/src/serve/server.ts";
import { readSession } from "/work/wt/serve-attack/mod.ts";

const KEYS = `ai.model.id ai.model.provider ai.operationId ai.prompt ai.prompt.tools ai.response.finishReason ai.response.id ai.response.model ai.response.object ai.response.text ai.response.toolCalls ai.toolCall ai.toolCall.args ai.toolCall.result ai.usage.inputTokens ai.usage.outputTokens ai_trace.context.x ai_trace.decision.action ai_trace.decision.alternatives ai_trace.decision.confidence ai_trace.decision.reason ai_trace.in_flight ai_trace.outcome ai_trace.session_id ai_trace.step.kind ai_trace.step.name ai_trace.usage.cost_usd gen_ai.agent.name gen_ai.completion gen_ai.input.messages gen_ai.operation.name gen_ai.output.messages gen_ai.provider.name gen_ai.request.model gen_ai.response.finish_reasons gen_ai.response.model gen_ai.tool.definitions gen_ai.tool.name gen_ai.usage.input_tokens gen_ai.usage.output_tokens input.value llm.model_name openinference.span.kind output.value service.name __proto__ constructor toString exception.message exception.type exception.stacktrace`.split(" ");
const crashes: string[] = [];
process.on("uncaughtException", (e) => crashes.push("uncaught " + e.message));
process.on("unhandledRejection", (e) => crashes.push("unhandled " + String(e)));
const dir = mkdtempSync(join(tmpdir(), "sa-fuzz-"));
const errors: string[] = [];
const server = await startServer({ dir, port: 0, traceIdleMs: 50, onError: (e) => errors.push(e.message) });
const strs = fc.oneof(fc.constantFrom("", "{", "[", "[]", "{}", "null", '[{"name":1}]', '{"toolName":{}}', "NaN", "1e400", "__proto__", "chat", "LLM", "TOOL", '["a"]', '[{"type":"function","function":{"name":null}}]', '"x"', '{"a":[1,{"b":null}]}'), fc.string());
const leaf = fc.oneof(strs.map((s) => ({ stringValue: s })), fc.boolean().map((b) => ({ boolValue: b })), fc.oneof(fc.integer(), fc.constantFrom("9999999999999999999999", "-1", "x")).map((i) => ({ intValue: i })), fc.oneof(fc.double(), fc.constantFrom("NaN", "Infinity")).map((d) => ({ doubleValue: d })), fc.constant({}), fc.constant(null), fc.string().map((s) => ({ bytesValue: s })));
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("v"), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })), fc.array(fc.record({ key: fc.constantFrom(...KEYS), value: tie("v") }), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } }))),
})).v;
const attrs = fc.array(fc.record({ key: fc.oneof(fc.constantFrom(...KEYS), fc.string()), value: anyValue }), { maxLength: 12 });
const hex = (w: number) => fc.integer({ min: 1, max: 6 }).map((n) => n.toString(16).padStart(w, "0"));
const span = fc.record({
  traceId: hex(32), spanId: hex(16), parentSpanId: fc.option(hex(16), { nil: undefined }),
  name: fc.oneof(fc.string(), fc.constant(undefined)), startTimeUnixNano: fc.oneof(fc.constantFrom("0", "1764000000000000000", "99999999999999999999", undefined), fc.nat().map(String)),
  endTimeUnixNano: fc.oneof(fc.constantFrom("0", "1764000000000000000", undefined), fc.nat().map(String)),
  attributes: attrs,
  status: fc.oneof(fc.constant(undefined), fc.record({ code: fc.oneof(fc.constantFrom(0, 1, 2, "STATUS_CODE_ERROR", -1, 99)), message: fc.oneof(fc.string(), fc.constant(undefined)) })),
  events: fc.array(fc.record({ name: fc.constantFrom("exception", "log", "x"), timeUnixNano: fc.constantFrom("1", undefined), attributes: attrs }), { maxLength: 3 }),
});
const request = fc.record({ resourceSpans: fc.array(fc.record({ resource: fc.record({ attributes: attrs }), scopeSpans: fc.array(fc.record({ spans: fc.array(span, { maxLength: 6 }) }), { maxLength: 2 }) }), { maxLength: 2 }) });
const statuses = new Map<number, number>();
let n = 0;
await fc.assert(fc.asyncProperty(request, async (req) => {
  const r = await fetch(server.url + "v1/traces", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(req) });
  const body = await r.text();
  statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  n++;
  if (r.status === 500) { console.log("500", body, JSON.stringify(req).slice(0, 2000)); return false; }
  return crashes.length === 0;
}), { numRuns: Number(process.argv[2] ?? 500) });
await new Promise((r) => setTimeout(r, 1500));
await server.close();
let bad = 0;
for (const f of readdirSync(dir)) { const s = await readSession(join(dir, f)); if (s.warnings.length) bad++; }
console.log("runs", n, Object.fromEntries(statuses), "files", readdirSync(dir).length, "with warnings", bad, "crashes", crashes, "errors", errors.slice(0, 3), errors.length);

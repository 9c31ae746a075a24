/**
 * Spans to steps: the reverse of {@linkcode toOtlp}. The spans of one trace,
 * in a plain shape any OpenTelemetry source can be put into (an SDK's
 * finished spans, decoded OTLP), become the steps of one session, each with
 * its real parent, times, status and attributes. The OpenTelemetry GenAI
 * conventions (`gen_ai.*`), the AI SDK's own attributes (`ai.*`) and
 * OpenInference's (`openinference.span.kind`, `llm.*`, `input.value`, …)
 * become the step's kind, usage, logs and decision; the other attributes its
 * context.
 *
 * @module
 */

import type { Step, Tracer } from "../record/tracer.ts";
import type { Usage } from "../format/types.ts";
import { get, isArray, items, num, own, parseJsonish, quietly, str, toolNames } from "../format/untrusted_fields.ts";
import { GEN_AI, OI } from "./conventions.ts";

/** OTLP status codes: unset, ok, error. */
const STATUS_ERROR = 2;

/**
 * One finished span, in the plain shape the mapping reads: what an
 * OpenTelemetry SDK's `ReadableSpan` or a decoded OTLP span holds, with times
 * in epoch milliseconds and attributes as a plain object.
 *
 * @example A tool call under an agent span
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type PlainSpan, recordSpans } from "@ai-trace/core/otel";
 *
 * const spans: PlainSpan[] = [
 *   { traceId: "t", spanId: "a", name: "invoke_agent planner", startTime: 1_000, endTime: 1_900 },
 *   { traceId: "t", spanId: "b", parentSpanId: "a", name: "execute_tool search", startTime: 1_100, endTime: 1_300,
 *     status: { code: 2, message: "timeout" } },
 * ];
 * const tracer = new Tracer("planner", { autoSave: false });
 * recordSpans(tracer, spans);
 * console.log(tracer.summary().errors); // 1
 * ```
 */
export interface PlainSpan {
  /** The trace's id (hex). */
  readonly traceId: string;
  /** The span's id (hex). */
  readonly spanId: string;
  /** The parent span's id, absent (or empty) for a root span. */
  readonly parentSpanId?: string;
  /** The span's name. */
  readonly name: string;
  /** When it started, epoch milliseconds. */
  readonly startTime: number;
  /** When it ended, epoch milliseconds. */
  readonly endTime: number;
  /** The status: code 0 unset, 1 ok, 2 error, and the error's message. */
  readonly status?: { readonly code: number; readonly message?: string };
  /** The span's attributes. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** Its events (an `exception` event gives a failed step its error type and stack). */
  readonly events?: readonly {
    readonly name: string;
    readonly time: number;
    readonly attributes?: Readonly<Record<string, unknown>>;
  }[];
  /** The attributes of the resource that made it (`service.name`, …). */
  readonly resource?: Readonly<Record<string, unknown>>;
}

/** What one span becomes, before it is written: a step's name, kind, context, usage, logs, decision and end. */
export interface SpanStep {
  /** The step's name: the span's name. */
  name: string;
  /** The kind read from the conventions (`"llm"`, `"tool"`, `"agent"`, …), if any says. */
  kind?: string;
  /** The attributes the mapping did not turn into something else. */
  context: Record<string, unknown>;
  /** The usage the span reports (model, provider, tokens). */
  usage?: Usage;
  /** Fields to log: output, text, tool calls, finish reason, response id, events. */
  logs: Record<string, unknown>[];
  /** The choice between calling tools and answering, where the span shows both (or ai-trace's own decision). */
  decision?: { action: string; reason?: string; confidence?: number; alternatives?: unknown[] };
  /** The error, for a span whose status is error. */
  error?: Error;
  /** An outcome of the step's own (`"skipped"`, …), for a span ai-trace exported. */
  outcome?: string;
  /** A step that was in flight when ai-trace exported it: it is begun and not ended. */
  inFlight?: boolean;
  /** A span ai-trace exported (`ai_trace.step.name`): its usage is its own, never a total of its children's. */
  native?: boolean;
}

// Attribute names this mapping reads besides GEN_AI and OI: the AI SDK's own (`ai.*`), older GenAI names, and ai-trace's.
const AI_OPERATION = "ai.operationId";
const SERVICE_NAME = "service.name";
const STEP_NAME = "ai_trace.step.name";
const SESSION_ID = "ai_trace.session_id";

const OI_KINDS: Record<string, string> = {
  LLM: "llm",
  TOOL: "tool",
  AGENT: "agent",
  CHAIN: "chain",
  EMBEDDING: "embedding",
  RETRIEVER: "retriever",
  RERANKER: "rerank",
  GUARDRAIL: "guardrail",
  EVALUATOR: "evaluator",
  PROMPT: "prompt",
};

const GEN_AI_KINDS: Record<string, string> = {
  chat: "llm",
  text_completion: "llm",
  generate_content: "llm",
  embeddings: "embedding",
  execute_tool: "tool",
  invoke_agent: "agent",
  create_agent: "agent",
  invoke_workflow: "agent",
};

// The usage fields and the attributes they come from, first found wins (GenAI, then the AI SDK's, then OpenInference).
const USAGE_SOURCES: [keyof Usage, string[]][] = [
  ["input_tokens", [
    GEN_AI.USAGE_INPUT_TOKENS,
    "gen_ai.usage.prompt_tokens",
    "ai.usage.inputTokens",
    "ai.usage.promptTokens",
    "ai.usage.tokens",
    OI.LLM_TOKEN_COUNT_PROMPT,
  ]],
  ["output_tokens", [
    GEN_AI.USAGE_OUTPUT_TOKENS,
    "gen_ai.usage.completion_tokens",
    "ai.usage.outputTokens",
    "ai.usage.completionTokens",
    OI.LLM_TOKEN_COUNT_COMPLETION,
  ]],
  ["cache_read_input_tokens", [
    GEN_AI.USAGE_CACHE_READ_INPUT_TOKENS,
    "ai.usage.inputTokenDetails.cacheReadTokens",
    "ai.usage.cachedInputTokens",
    OI.LLM_TOKEN_COUNT_PROMPT_CACHE_READ,
  ]],
  ["cache_creation_input_tokens", [
    GEN_AI.USAGE_CACHE_CREATION_INPUT_TOKENS,
    "ai.usage.inputTokenDetails.cacheWriteTokens",
    OI.LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
  ]],
  ["reasoning_tokens", [
    GEN_AI.USAGE_REASONING_OUTPUT_TOKENS,
    "ai.usage.outputTokenDetails.reasoningTokens",
    "ai.usage.reasoningTokens",
    OI.LLM_TOKEN_COUNT_COMPLETION_REASONING,
  ]],
  ["cost_usd", ["ai_trace.usage.cost_usd", OI.LLM_COST_TOTAL]],
];
const MODEL = [GEN_AI.REQUEST_MODEL, "ai.model.id", OI.LLM_MODEL_NAME, OI.EMBEDDING_MODEL_NAME];
const RESPONSE_MODEL = [GEN_AI.RESPONSE_MODEL, "ai.response.model"];
const PROVIDER = [GEN_AI.PROVIDER_NAME, "gen_ai.system", "ai.model.provider", OI.LLM_PROVIDER, OI.LLM_SYSTEM];

// Attributes that become logs (outputs), by the name they are logged under.
const OUTPUTS: [string, string][] = [
  [GEN_AI.RESPONSE_ID, "response_id"],
  ["ai.response.id", "response_id"],
  [GEN_AI.RESPONSE_FINISH_REASONS, "finish_reason"],
  ["ai.response.finishReason", "finish_reason"],
  ["ai.response.text", "text"],
  ["ai.response.object", "object"],
  ["ai.response.toolCalls", "tool_calls"],
  ["gen_ai.output.messages", "output"],
  ["gen_ai.completion", "output"],
  [GEN_AI.TOOL_CALL_RESULT, "output"],
  ["ai.toolCall.result", "output"],
  [OI.OUTPUT_VALUE, "output"],
];

// Attributes read into something else, and noise: not repeated in the context.
const CONSUMED = new Set<string>([
  OI.SPAN_KIND,
  GEN_AI.OPERATION_NAME,
  AI_OPERATION,
  ...USAGE_SOURCES.flatMap(([, names]) => names),
  ...MODEL,
  ...RESPONSE_MODEL,
  ...PROVIDER,
  ...OUTPUTS.map(([name]) => name),
  "gen_ai.usage.total_tokens",
  "ai.usage.totalTokens",
  "ai.usage.inputTokenDetails.noCacheTokens",
  "ai.usage.outputTokenDetails.textTokens",
  OI.LLM_TOKEN_COUNT_TOTAL,
  OI.OUTPUT_MIME_TYPE,
  OI.INPUT_MIME_TYPE,
  "operation.name",
  "resource.name",
  "ai.response.timestamp",
  "ai.response.msToFirstChunk",
  "ai.response.msToFinish",
  "ai.response.avgOutputTokensPerSecond",
  "ai.response.avgCompletionTokensPerSecond",
]);

/**
 * Reads one span: its kind from `openinference.span.kind`, else
 * `gen_ai.operation.name`, else the AI SDK's `ai.operationId`; its usage from
 * `gen_ai.usage.*`, `ai.usage.*` or `llm.token_count.*`; outputs (text, tool
 * calls, results, finish reason, response id) as logs; the tools offered and
 * called as a decision; the rest of the attributes as context.
 *
 * @param span the span.
 * @returns what the span becomes.
 */
export function spanToStep(span: PlainSpan): SpanStep {
  const attributes = span.attributes ?? {};
  const attr = (name: string): unknown => get(attributes, name);
  if (typeof attr(STEP_NAME) === "string") return nativeStep(span);
  const step: SpanStep = { name: str(span.name) ?? "span", context: {}, logs: [] };
  const kind = kindOf(attributes);
  if (kind !== undefined) step.kind = kind;
  const usage = usageOf(attributes, step.kind);
  if (usage !== undefined) step.usage = usage;
  const outputs: Record<string, unknown> = {};
  for (const [name, as] of OUTPUTS) {
    const value = attr(name);
    if (value === undefined || as in outputs) continue;
    outputs[as] = as === "finish_reason" && isArray(value) && value.length === 1 ? value[0] : parseJsonish(value);
  }
  if (Object.keys(outputs).length > 0) step.logs.push(outputs);

  for (const name of Object.keys(attributes)) {
    if (CONSUMED.has(name)) continue;
    const value = attr(name);
    step.context[name] = typeof value === "string" && looksJson(name) ? parseJsonish(value) : value;
  }

  // Where the span shows the tools offered, what the model chose: the tools it called, or "answer".
  const offered = offeredTools(attr("ai.prompt.tools") ?? attr("gen_ai.tool.definitions"));
  if (step.kind === "llm" && offered.length > 0) {
    const called = toolNames(parseJsonish(attr("ai.response.toolCalls")));
    const action = called.length === 0 ? "answer" : [...new Set(called)].join(", ");
    step.decision = {
      action,
      alternatives: [...offered, "answer"].filter((option) => !called.includes(option) && option !== action),
    };
  }

  let exception: Readonly<Record<string, unknown>> | undefined;
  for (const event of span.events ?? []) {
    if (event.name === "exception") {
      exception ??= event.attributes ?? {};
      continue;
    }
    step.logs.push({ event: event.name, ...(event.attributes ?? {}) });
  }
  if (span.status?.code === STATUS_ERROR) {
    const message = str(span.status.message) ?? str(get(exception, "exception.message")) ?? "error";
    const error = new Error(message);
    error.name = str(get(exception, "exception.type")) ?? "Error";
    error.stack = str(get(exception, "exception.stacktrace")) ?? "";
    step.error = error;
  }
  return step;
}

// The usage a span reports: tokens from GenAI, the AI SDK or OpenInference attributes, and the model of a model call.
function usageOf(attributes: Readonly<Record<string, unknown>>, kind: string | undefined): Usage | undefined {
  const first = (names: string[]): unknown => {
    for (const name of names) {
      const value = get(attributes, name);
      if (value !== undefined && value !== null && value !== "") return value;
    }
    return undefined;
  };
  const usage: Usage = {};
  for (const [field, names] of USAGE_SOURCES) {
    const value = num(first(names));
    if (value !== undefined && (value !== 0 || field === "input_tokens" || field === "output_tokens")) {
      (usage as Record<string, number>)[field] = value;
    }
  }
  const hasTokens = Object.keys(usage).length > 0;
  const model = str(first(MODEL));
  const responseModel = str(first(RESPONSE_MODEL));
  const provider = str(first(PROVIDER));
  if (hasTokens || kind === "llm" || kind === "embedding") {
    if (model !== undefined) usage.model = model;
    if (responseModel !== undefined && responseModel !== model) usage.response_model = responseModel;
    if (provider !== undefined) usage.provider = provider;
  }
  return Object.keys(usage).length > 0 ? usage : undefined;
}

// A span ai-trace exported (toOtlp): its step comes back as it was, from the `ai_trace.*` attributes and the log
// events; the conventions' attributes, derived from the same step, are not repeated in its context.
function nativeStep(span: PlainSpan): SpanStep {
  const attributes = span.attributes ?? {};
  const attr = (name: string): unknown => get(attributes, name);
  const step: SpanStep = {
    name: str(attr(STEP_NAME)) ?? str(span.name) ?? "span",
    context: {},
    logs: [],
    native: true,
  };
  const kind = str(attr("ai_trace.step.kind"));
  if (kind !== undefined) step.kind = kind;
  const usage = usageOf(attributes, kind);
  if (usage !== undefined) step.usage = usage;
  const prefix = "ai_trace.context.";
  for (const name of Object.keys(attributes)) {
    if (name.startsWith(prefix)) step.context[name.slice(prefix.length)] = jsonText(attr(name));
  }
  const action = str(attr("ai_trace.decision.action"));
  if (action !== undefined) {
    step.decision = { action };
    const reason = str(attr("ai_trace.decision.reason"));
    if (reason !== undefined) step.decision.reason = reason;
    const confidence = num(attr("ai_trace.decision.confidence"));
    if (confidence !== undefined) step.decision.confidence = confidence;
    const alternatives = jsonText(attr("ai_trace.decision.alternatives"));
    if (alternatives !== undefined) step.decision.alternatives = isArray(alternatives) ? alternatives : [alternatives];
  }
  let exception: Readonly<Record<string, unknown>> | undefined;
  for (const event of span.events ?? []) {
    if (event.name === "log") {
      const fields: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(event.attributes ?? {})) fields[key] = jsonText(value);
      step.logs.push(fields);
    } else if (event.name === "exception") exception ??= event.attributes ?? {};
  }
  if (attr("ai_trace.in_flight") === true) {
    step.inFlight = true;
    return step;
  }
  const outcome = str(attr("ai_trace.outcome"));
  if (span.status?.code === STATUS_ERROR || outcome === "error") {
    const error = new Error(str(get(exception, "exception.message")) ?? str(span.status?.message) ?? "error");
    error.name = str(get(exception, "exception.type")) ?? "Error";
    error.stack = str(get(exception, "exception.stacktrace")) ?? "";
    step.error = error;
  } else if (outcome !== undefined && outcome !== "ok") step.outcome = outcome;
  return step;
}

// Nested values travel as JSON text: objects and arrays come back as they were.
function jsonText(value: unknown): unknown {
  if (typeof value !== "string" || (value[0] !== "{" && value[0] !== "[")) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function kindOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  const oi = str(get(attributes, OI.SPAN_KIND));
  if (oi !== undefined) return own(OI_KINDS, oi.toUpperCase()) ?? oi.toLowerCase();
  const operation = str(get(attributes, GEN_AI.OPERATION_NAME));
  if (operation !== undefined) return own(GEN_AI_KINDS, operation) ?? operation;
  const ai = str(get(attributes, AI_OPERATION));
  if (ai !== undefined) {
    if (ai === "ai.toolCall") return "tool";
    if (/\.(doGenerate|doStream)$/.test(ai)) return "llm";
    if (/^ai\.(embed|embedMany)(\.doEmbed)?$/.test(ai)) return "embedding";
    if (/^ai\.(generate|stream)(Text|Object)$/.test(ai)) return "agent";
    return undefined;
  }
  if (get(attributes, GEN_AI.TOOL_NAME) !== undefined) return "tool";
  if (get(attributes, GEN_AI.REQUEST_MODEL) !== undefined || get(attributes, OI.LLM_MODEL_NAME) !== undefined) {
    return "llm";
  }
  return undefined;
}

function looksJson(name: string): boolean {
  return name.startsWith("ai.prompt") || name === "ai.toolCall.args" || name === GEN_AI.TOOL_CALL_ARGUMENTS ||
    name === "gen_ai.input.messages" || name === "gen_ai.system_instructions" || name === OI.INPUT_VALUE ||
    name === "gen_ai.tool.definitions";
}

// The AI SDK writes each tool as a JSON string (`ai.prompt.tools`); the GenAI conventions one JSON array.
function offeredTools(value: unknown): string[] {
  const parsed = parseJsonish(value);
  if (!isArray(parsed)) return [];
  return toolNames(items(parsed).map((tool) => parseJsonish(tool)));
}

/**
 * The agent name of a trace's session: the first `gen_ai.agent.name` of its
 * spans (roots first), else the root span's name, else the resource's
 * `service.name`, else `"otel"`.
 *
 * @param spans the spans of one trace.
 * @returns the agent name.
 */
export function traceAgentName(spans: readonly PlainSpan[]): string {
  const ids = new Set(spans.map((span) => span.spanId));
  const roots = spans.filter((span) => !span.parentSpanId || !ids.has(span.parentSpanId));
  for (const span of [...roots, ...spans]) {
    const name = str(get(span.attributes, GEN_AI.AGENT_NAME));
    if (name !== undefined) return name;
  }
  const root = roots.reduce<PlainSpan | undefined>(
    (a, b) => a === undefined || b.startTime < a.startTime ? b : a,
    undefined,
  );
  return str(root?.name) ?? str(get(spans[0]?.resource, SERVICE_NAME)) ?? "otel";
}

/**
 * Writes the spans of one trace into `tracer`'s session, parents before
 * children, each span a step with its real parent, start and end time,
 * status and attributes (see {@linkcode spanToStep}). Usage is counted once:
 * a span's usage goes to its step only when no span below it reports usage
 * (the AI SDK puts a call's total on the call's span and each model call's on
 * its own); otherwise it is logged as `usage_total`. A span whose parent is not
 * among `spans` is a root step.
 *
 * @param tracer the session to write into.
 * @param spans the spans of one trace, in any order.
 * @example Two hand-made spans
 * ```ts
 * import { readSession, Tracer } from "@ai-trace/core";
 * import { recordSpans } from "@ai-trace/core/otel";
 *
 * const tracer = new Tracer("planner", { traceDir: await Deno.makeTempDir() });
 * recordSpans(tracer, [
 *   { traceId: "t", spanId: "b", parentSpanId: "a", name: "chat gpt-4o", startTime: 1_000, endTime: 1_400,
 *     attributes: { "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 30 } },
 *   { traceId: "t", spanId: "a", name: "invoke_agent planner", startTime: 900, endTime: 1_500,
 *     attributes: { "gen_ai.operation.name": "invoke_agent" } },
 * ]);
 * await tracer.close();
 * const [agent, chat] = (await readSession(tracer.path!)).steps;
 * console.log(agent.kind, chat.parent_id === agent.id, chat.usage?.input_tokens); // agent true 30
 * ```
 */
export function recordSpans(tracer: Tracer, spans: readonly PlainSpan[]): void {
  const byId = new Map<string, PlainSpan>();
  for (const span of spans) {
    // The span of an ai-trace session is the session itself, not a step: its steps are the roots.
    if (get(span.attributes, SESSION_ID) !== undefined && get(span.attributes, STEP_NAME) === undefined) continue;
    byId.set(span.spanId, span);
  }
  const children = new Map<string, PlainSpan[]>();
  const roots: PlainSpan[] = [];
  for (const span of byId.values()) {
    const parent = span.parentSpanId;
    if (parent && parent !== span.spanId && byId.has(parent)) {
      const list = children.get(parent);
      if (list === undefined) children.set(parent, [span]);
      else list.push(span);
    } else {
      roots.push(span);
    }
  }
  const byStart = (a: PlainSpan, b: PlainSpan): number => a.startTime - b.startTime;
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);

  // Depth first without recursion (a trace may be deep); a cycle is cut where it closes.
  const mapped = new Map<string, SpanStep>();
  const order: { span: PlainSpan; parent: string | undefined }[] = [];
  const visited = new Set<string>();
  const stack: { span: PlainSpan; parent: string | undefined }[] = roots.map((span) => ({ span, parent: undefined }))
    .reverse();
  // Spans whose parents form a cycle (a → b → a) reach no root: the earliest of those not yet walked becomes one.
  const unreached = [...byId.values()].sort(byStart);
  for (let next = 0; stack.length > 0 || next < unreached.length;) {
    if (stack.length === 0) {
      const span = unreached[next++];
      if (!visited.has(span.spanId)) stack.push({ span, parent: undefined });
      continue;
    }
    const { span, parent } = stack.pop()!;
    if (visited.has(span.spanId)) continue;
    visited.add(span.spanId);
    order.push({ span, parent });
    const below = children.get(span.spanId) ?? [];
    for (let i = below.length - 1; i >= 0; i--) stack.push({ span: below[i], parent: span.spanId });
  }

  // Usage below: walked children first (the reverse of depth-first order).
  const usageBelow = new Set<string>();
  for (let i = order.length - 1; i >= 0; i--) {
    const { span, parent } = order[i];
    const step = spanToStep(span);
    mapped.set(span.spanId, step);
    const reports = step.usage !== undefined &&
      (step.usage.input_tokens !== undefined || step.usage.output_tokens !== undefined);
    if (parent !== undefined && (reports || usageBelow.has(span.spanId))) usageBelow.add(parent);
  }

  const steps = new Map<string, Step>();
  const started: { step: Step; plan: SpanStep; span: PlainSpan }[] = [];
  for (const { span, parent } of order) {
    quietly(() => {
      const plan = mapped.get(span.spanId)!;
      if (plan.usage !== undefined && !plan.native && usageBelow.has(span.spanId)) {
        // The tokens below are counted there: here they are the total, logged.
        const { model, response_model, provider, ...tokens } = plan.usage;
        if (Object.keys(tokens).length > 0) plan.logs.push({ usage_total: tokens });
        const kept: Usage = {};
        if (model !== undefined) kept.model = model;
        if (response_model !== undefined) kept.response_model = response_model;
        if (provider !== undefined) kept.provider = provider;
        plan.usage = Object.keys(kept).length > 0 ? kept : undefined;
      }
      const options = {
        parent: parent === undefined ? null : steps.get(parent) ?? null,
        startTime: span.startTime,
        ...(plan.kind === undefined ? {} : { kind: plan.kind }),
      };
      const step = tracer.step(plan.name, plan.context, options).start();
      steps.set(span.spanId, step);
      started.push({ step, plan, span });
    });
  }
  // Children end first, as they did.
  for (let i = started.length - 1; i >= 0; i--) {
    const { step, plan, span } = started[i];
    quietly(() => {
      for (const fields of plan.logs) step.log(fields);
      if (plan.usage !== undefined) step.usage(plan.usage);
      if (plan.decision !== undefined) {
        const { action, ...options } = plan.decision;
        step.decide(action, options);
      }
      if (plan.inFlight) return;
      if (plan.error !== undefined) step.fail(plan.error, { endTime: span.endTime });
      else step.finish(plan.outcome ?? "ok", { endTime: span.endTime });
    });
  }
}

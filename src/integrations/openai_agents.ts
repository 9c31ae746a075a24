/**
 * The OpenAI Agents SDK (`@openai/agents`), recorded as steps: a tracing
 * processor that turns the SDK's traces and spans into an ai-trace session,
 * with their real parents and times, locally. No runtime dependency: the
 * SDK's shapes are described here.
 *
 * The SDK turns its tracing off when `NODE_ENV` is `test` (as `bun test`
 * sets it) and when `OPENAI_AGENTS_DISABLE_TRACING=1`: call
 * `setTracingDisabled(false)` to record there too.
 *
 * @example One line of set-up, everything kept local
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { openAIAgentsProcessor } from "@ai-trace/core/openai-agents";
 * import { setTraceProcessors, setTracingDisabled } from "@openai/agents";
 *
 * const tracer = new Tracer("support_bot", { traceDir: await Deno.makeTempDir() });
 * setTraceProcessors([openAIAgentsProcessor(tracer)]); // instead of uploading to OpenAI
 * setTracingDisabled(false); // only needed under NODE_ENV=test
 * ```
 *
 * @module
 */

import type { Step, Tracer } from "../record/tracer.ts";
import type { Usage } from "../format/types.ts";
import {
  asContext,
  epochMs,
  get,
  isArray,
  items,
  num,
  own,
  parseJsonish,
  path,
  quietly,
  str,
} from "../format/untrusted_fields.ts";

/**
 * A trace of the Agents SDK: one workflow run (the SDK's `Trace` is assignable to it).
 *
 * @example A trace handed to the processor
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AgentsTrace, openAIAgentsProcessor } from "@ai-trace/core/openai-agents";
 *
 * const tracer = new Tracer("triage", { autoSave: false });
 * const processor = openAIAgentsProcessor(tracer);
 * const trace: AgentsTrace = { traceId: "trace_1", name: "Triage", groupId: null };
 * await processor.onTraceStart(trace);
 * await processor.onTraceEnd(trace);
 * console.log(tracer.summary().steps); // 1
 * ```
 */
export interface AgentsTrace {
  /** The trace's id. */
  readonly traceId: string;
  /** The workflow name. */
  readonly name?: string;
  /** Groups traces of one conversation. */
  readonly groupId?: string | null;
  /** Metadata given to the run. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * A span of the Agents SDK (the SDK's `Span` is assignable to it).
 *
 * @example A tool call, as the SDK reports it
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AgentsSpan, openAIAgentsProcessor } from "@ai-trace/core/openai-agents";
 *
 * const tracer = new Tracer("triage", { autoSave: false });
 * const processor = openAIAgentsProcessor(tracer);
 * const span: AgentsSpan = {
 *   traceId: "trace_1",
 *   spanId: "span_1",
 *   parentId: null,
 *   spanData: { type: "function" },
 *   startedAt: "2026-01-01T00:00:00.000Z",
 *   endedAt: "2026-01-01T00:00:00.250Z",
 *   error: null,
 * };
 * await processor.onSpanStart(span);
 * await processor.onSpanEnd(span);
 * console.log(tracer.summary().steps); // 1
 * ```
 */
export interface AgentsSpan {
  /** The trace it belongs to. */
  readonly traceId: string;
  /** The span's id. */
  readonly spanId: string;
  /** The parent span's id, or `null` for a span directly under the trace. */
  readonly parentId: string | null;
  /** What the span is: `{ type: "agent" | "turn" | "generation" | "response" | "function" | "handoff" | "guardrail" | …, … }`. */
  readonly spanData: { readonly type: string };
  /** When it started (ISO 8601). */
  readonly startedAt: string | null;
  /** When it ended (ISO 8601). */
  readonly endedAt: string | null;
  /** What went wrong, if it failed. */
  readonly error: { readonly message: string; readonly data?: Record<string, unknown> } | null;
}

/**
 * A `TracingProcessor` of the Agents SDK, as {@linkcode openAIAgentsProcessor}
 * returns it.
 *
 * @example Keep OpenAI's own exporter and record locally too
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AgentsTracingProcessor, openAIAgentsProcessor } from "@ai-trace/core/openai-agents";
 *
 * const tracer = new Tracer("support_bot", { autoSave: false });
 * const processor: AgentsTracingProcessor = openAIAgentsProcessor(tracer);
 * // addTraceProcessor(processor); // from "@openai/agents"
 * await processor.forceFlush();
 * ```
 */
export interface AgentsTracingProcessor {
  /** A trace began. */
  onTraceStart(trace: AgentsTrace): Promise<void>;
  /** A trace ended. */
  onTraceEnd(trace: AgentsTrace): Promise<void>;
  /** A span began. */
  onSpanStart(span: AgentsSpan): Promise<void>;
  /** A span ended. */
  onSpanEnd(span: AgentsSpan): Promise<void>;
  /** Nothing to do: every step is written as it ends. */
  shutdown(timeout?: number): Promise<void>;
  /** Nothing to do: every step is written as it ends. */
  forceFlush(): Promise<void>;
}

interface TraceEntry {
  readonly step: Step;
  readonly name: string | undefined;
  mergedTask: boolean;
}

interface SpanEntry {
  readonly span: AgentsSpan;
  step?: Step;
  // The root task span shares the trace's step instead of having its own.
  merged?: boolean;
  // A model call below this span reported usage: a turn's own total would count it twice.
  usageBelow?: boolean;
  // A handoff made by this agent, decided when the agent's span ends (its handoff list is complete then).
  handoffTo?: string;
}

const KINDS: Record<string, string> = {
  task: "agent",
  agent: "agent",
  turn: "llm",
  generation: "llm",
  response: "llm",
  function: "tool",
  mcp_tools: "tool",
  guardrail: "guardrail",
  handoff: "handoff",
};

const DONE = Promise.resolve();

// Span types whose name and context are known when they begin.
const EAGER = new Set(["task", "agent", "turn", "guardrail"]);

/**
 * A tracing processor for the OpenAI Agents SDK that records its runs into
 * `tracer`'s session: pass it to `setTraceProcessors([…])` (everything stays
 * local) or `addTraceProcessor(…)` (OpenAI's exporter keeps running too).
 *
 * A trace is a root step (kind `"agent"`, the workflow name, group id and
 * metadata as context); an agent span a step of kind `"agent"`; a turn,
 * generation or response a step of kind `"llm"` with the model and the usage
 * (counted once: a turn's total only when no model call below it reported
 * one); a function span a step of kind `"tool"` with its input as context and
 * its output logged; a handoff a decision on the agent's step (action: the
 * target agent; alternatives: its other handoffs); a guardrail a step of kind
 * `"guardrail"`, a triggered one with a decision and a failure; a span error a
 * failed step. Parents and times come from the spans.
 *
 * The SDK disables tracing when `NODE_ENV=test` (e.g. under `bun test`) or
 * `OPENAI_AGENTS_DISABLE_TRACING=1`; `setTracingDisabled(false)` turns it on.
 *
 * @param tracer the session to record into.
 * @returns a `TracingProcessor`.
 * @example A run recorded with no network (a scripted model)
 * ```ts
 * import { readSession, Tracer } from "@ai-trace/core";
 * import { openAIAgentsProcessor } from "@ai-trace/core/openai-agents";
 * import { Agent, type Model, run, setTraceProcessors, setTracingDisabled, Usage } from "@openai/agents";
 *
 * const model: Model = {
 *   async getResponse() {
 *     return {
 *       usage: new Usage({ requests: 1, inputTokens: 20, outputTokens: 4, totalTokens: 24 }),
 *       output: [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hi!" }] }],
 *     };
 *   },
 *   async *getStreamedResponse() {},
 * };
 * const tracer = new Tracer("greeter", { traceDir: await Deno.makeTempDir() });
 * setTraceProcessors([openAIAgentsProcessor(tracer)]);
 * setTracingDisabled(false);
 * await run(new Agent({ name: "greeter", instructions: "Greet", model }), "Hello");
 * await tracer.close();
 * console.log((await readSession(tracer.path!)).steps.map((step) => step.kind)); // [ "agent", "agent", "llm" ]
 * ```
 */
export function openAIAgentsProcessor(tracer: Tracer): AgentsTracingProcessor {
  const traces = new Map<string, TraceEntry>();
  const spans = new Map<string, SpanEntry>();

  // A span and the spans above it, nearest first; span ids that loop back stop the walk (it never hangs the agent).
  function* ancestors(entry: SpanEntry | undefined): Generator<SpanEntry> {
    const seen = new Set<SpanEntry>();
    for (let above = entry; above !== undefined && !seen.has(above); above = spans.get(above.span.parentId ?? "")) {
      seen.add(above);
      yield above;
    }
  }
  const markUsageAbove = (entry: SpanEntry | undefined): void => {
    for (const above of ancestors(entry)) above.usageBelow = true;
  };

  // The step of a span, made when it is first needed (a child begins, or the span ends), so its data is as complete as can be.
  const stepOf = (entry: SpanEntry): Step => {
    if (entry.step !== undefined) return entry.step;
    const span = entry.span;
    const data = span.spanData;
    const type = str(get(data, "type")) ?? "span";
    const trace = traces.get(span.traceId);
    const parentEntry = span.parentId === null ? undefined : spans.get(span.parentId);
    if (
      type === "task" && parentEntry === undefined && trace !== undefined && !trace.mergedTask &&
      str(get(data, "name")) === trace.name
    ) {
      trace.mergedTask = true;
      entry.merged = true;
      entry.step = trace.step;
      return trace.step;
    }
    const parent = parentEntry !== undefined ? stepOf(parentEntry) : trace?.step ?? null;
    const { name, context } = describeSpan(type, data);
    const step = tracer.step(name, context, {
      kind: own(KINDS, type) ?? type,
      parent,
      startTime: epochMs(span.startedAt),
    })
      .start();
    entry.step = step;
    return step;
  };

  const endSpan = (span: AgentsSpan): void => {
    const entry = spans.get(span.spanId) ?? { span };
    spans.delete(span.spanId);
    const data = span.spanData;
    const type = str(get(data, "type")) ?? "span";
    const endTime = epochMs(span.endedAt);
    const parent = span.parentId === null ? undefined : spans.get(span.parentId);

    if (type === "handoff" && span.error === null) {
      // A decision of the agent that handed off, not a step of its own.
      const to = str(get(data, "to_agent"));
      const agent = agentAbove(parent);
      if (to !== undefined && agent !== undefined) {
        agent.handoffTo = to;
        return;
      }
      if (to !== undefined && parent !== undefined) {
        stepOf(parent).decide(to, { reason: "handoff" });
        return;
      }
    }

    const step = stepOf(entry);
    if (entry.merged) {
      // The root task shares the trace's step: its usage is the run's total, logged (the turns carry the usage).
      // It ends the trace's step too: the SDK does not end a trace whose run threw.
      const total = get(data, "usage");
      if (total !== undefined) step.log({ usage_total: total });
      if (span.error !== null) step.fail(str(get(span.error, "message")) ?? "error", { endTime });
      else step.finish("ok", { endTime });
      return;
    }

    switch (type) {
      case "agent": {
        if (entry.handoffTo !== undefined) {
          const handoffs = items(get(data, "handoffs")).filter((name): name is string => typeof name === "string");
          step.decide(entry.handoffTo, {
            reason: "handoff",
            alternatives: handoffs.filter((name) => name !== entry.handoffTo),
          });
        }
        break;
      }
      case "generation":
      case "response": {
        const usage = modelUsage(type, data);
        if (usage !== undefined) {
          step.usage(usage);
          markUsageAbove(parent);
        }
        const fields: Record<string, unknown> = {};
        const responseId = str(get(data, "response_id")) ?? str(path(data, "_response", "id"));
        if (responseId !== undefined) fields.response_id = responseId;
        const output = get(data, "output") ?? path(data, "_response", "output");
        if (output !== undefined) fields.output = output;
        if (Object.keys(fields).length > 0) step.log(fields);
        break;
      }
      case "turn": {
        const usage = get(data, "usage");
        if (usage !== undefined && !entry.usageBelow) {
          step.usage(turnUsage(usage));
          markUsageAbove(parent);
        }
        break;
      }
      case "task": {
        const total = get(data, "usage");
        if (total !== undefined) step.log({ usage_total: total });
        break;
      }
      case "function": {
        const fields: Record<string, unknown> = {};
        const output = get(data, "output");
        if (output !== undefined && output !== "") fields.output = parseJsonish(output);
        const mcp = get(data, "mcp_data");
        if (mcp !== undefined) fields.mcp_data = parseJsonish(mcp);
        if (Object.keys(fields).length > 0) step.log(fields);
        break;
      }
      case "mcp_tools": {
        const result = get(data, "result");
        if (result !== undefined) step.log({ tools: result });
        break;
      }
      case "guardrail": {
        if (get(data, "triggered") === true) {
          step.decide("triggered", { reason: "the guardrail's tripwire was triggered", alternatives: ["passed"] });
          if (span.error === null) {
            step.fail(`guardrail "${str(get(data, "name")) ?? "guardrail"}" triggered`, { endTime });
            return;
          }
        } else {
          step.log({ triggered: false });
        }
        break;
      }
      default: {
        const output = get(data, "output");
        if (output !== undefined) step.log({ output });
      }
    }

    if (span.error !== null) {
      const error = span.error;
      const detail = get(error, "data");
      if (detail !== undefined) step.log({ error_data: detail });
      step.fail(str(get(error, "message")) ?? "error", { endTime });
      return;
    }
    step.finish("ok", { endTime });
  };

  return {
    onTraceStart(trace: AgentsTrace): Promise<void> {
      quietly(() => {
        const name = str(get(trace, "name"));
        const context: Record<string, unknown> = { workflow: name, trace_id: str(get(trace, "traceId")) };
        const groupId = str(get(trace, "groupId"));
        if (groupId !== undefined) context.group_id = groupId;
        const metadata = get(trace, "metadata");
        if (metadata !== undefined && Object.keys(asContext(metadata, "metadata")).length > 0) {
          context.metadata = metadata;
        }
        const step = tracer.step(name ?? "workflow", context, { kind: "agent" }).start();
        traces.set(trace.traceId, { step, name, mergedTask: false });
      });
      return DONE;
    },
    onTraceEnd(trace: AgentsTrace): Promise<void> {
      quietly(() => {
        const entry = traces.get(trace.traceId);
        traces.delete(trace.traceId);
        // Spans that never ended (a crash in the SDK) end with their trace.
        for (const [id, span] of spans) {
          if (span.span.traceId !== trace.traceId) continue;
          spans.delete(id);
          if (span.step !== undefined && !span.merged) span.step.finish("unfinished");
        }
        entry?.step.finish();
      });
      return DONE;
    },
    onSpanStart(span: AgentsSpan): Promise<void> {
      quietly(() => {
        const entry: SpanEntry = { span };
        spans.set(span.spanId, entry);
        // Make the parent's step now: it is the parent of this one, and its start line shows it in flight.
        const parent = span.parentId === null ? undefined : spans.get(span.parentId);
        if (parent !== undefined) stepOf(parent);
        // Spans whose data is whole when they begin get their step (and start line) now, so a crash shows them in
        // flight; model calls and functions wait for their model name and input.
        if (EAGER.has(str(get(span.spanData, "type")) ?? "")) stepOf(entry);
      });
      return DONE;
    },
    onSpanEnd(span: AgentsSpan): Promise<void> {
      quietly(() => endSpan(span));
      return DONE;
    },
    shutdown(): Promise<void> {
      return DONE;
    },
    forceFlush(): Promise<void> {
      return DONE;
    },
  };

  function agentAbove(entry: SpanEntry | undefined): SpanEntry | undefined {
    for (const above of ancestors(entry)) if (get(above.span.spanData, "type") === "agent") return above;
    return undefined;
  }
}

// A step's name and context from a span's data.
function describeSpan(type: string, data: unknown): { name: string; context: Record<string, unknown> } {
  switch (type) {
    case "agent": {
      const context: Record<string, unknown> = {};
      for (const key of ["handoffs", "tools", "output_type"]) {
        const value = get(data, key);
        if (value !== undefined && !(Array.isArray(value) && value.length === 0)) context[key] = value;
      }
      return { name: str(get(data, "name")) ?? "agent", context };
    }
    case "task":
      return { name: str(get(data, "name")) ?? "task", context: {} };
    case "turn":
      return { name: "turn", context: { turn: get(data, "turn"), agent: get(data, "agent_name") } };
    case "generation": {
      const model = str(get(data, "model"));
      const context: Record<string, unknown> = { model };
      const config = get(data, "model_config");
      if (config !== undefined) context.model_config = config;
      Object.assign(context, conversation(get(data, "input")));
      return { name: model ?? "generation", context };
    }
    case "response": {
      const model = str(path(data, "_response", "model"));
      const context: Record<string, unknown> = { model };
      Object.assign(context, conversation(get(data, "_input")));
      return { name: model ?? "response", context };
    }
    case "function":
      return {
        name: str(get(data, "name")) ?? "function",
        context: asContext(parseJsonish(get(data, "input")), "input"),
      };
    case "guardrail":
      return { name: str(get(data, "name")) ?? "guardrail", context: {} };
    case "handoff":
      return { name: "handoff", context: { from: get(data, "from_agent"), to: get(data, "to_agent") } };
    case "custom":
      return { name: str(get(data, "name")) ?? "custom", context: asContext(get(data, "data"), "data") };
    case "mcp_tools":
      return { name: "mcp_tools", context: { server: get(data, "server") } };
    default: {
      const context: Record<string, unknown> = {};
      for (const key of ["model", "input"]) {
        const value = get(data, key);
        if (value !== undefined) context[key] = value;
      }
      return { name: str(get(data, "name")) ?? type, context };
    }
  }
}

// What a model call saw, without writing the whole conversation again at every call: its length and its last item.
function conversation(input: unknown): Record<string, unknown> {
  if (input === undefined || input === null) return {};
  if (!isArray(input)) return { input };
  const all = items(input, 100_000);
  return all.length === 0 ? {} : { input_items: all.length, last_input: all[all.length - 1] };
}

// The usage of a generation (`usage: { input_tokens, output_tokens, details }`) or a response (`_response.usage`).
function modelUsage(type: string, data: unknown): Usage | undefined {
  const usage = type === "response" ? path(data, "_response", "usage") : get(data, "usage");
  const model = type === "response" ? str(path(data, "_response", "model")) : str(get(data, "model"));
  if (usage === undefined && model === undefined) return undefined;
  const out: Usage = {};
  if (model !== undefined) out.model = model;
  if (type === "response") out.provider = "openai";
  const input = num(get(usage, "input_tokens")) ?? num(get(usage, "prompt_tokens"));
  const output = num(get(usage, "output_tokens")) ?? num(get(usage, "completion_tokens"));
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  const cached = num(path(usage, "input_tokens_details", "cached_tokens")) ??
    num(path(usage, "details", "input_tokens_details", "cached_tokens")) ?? num(get(usage, "cached_input_tokens"));
  if (cached) out.cache_read_input_tokens = cached;
  const reasoning = num(path(usage, "output_tokens_details", "reasoning_tokens")) ??
    num(path(usage, "details", "output_tokens_details", "reasoning_tokens"));
  if (reasoning) out.reasoning_tokens = reasoning;
  return out;
}

// A turn's usage: `{ input_tokens, output_tokens, cached_input_tokens, cache_write_input_tokens }`.
function turnUsage(usage: unknown): Usage {
  const out: Usage = {};
  const input = num(get(usage, "input_tokens"));
  const output = num(get(usage, "output_tokens"));
  const cached = num(get(usage, "cached_input_tokens"));
  const written = num(get(usage, "cache_write_input_tokens"));
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  if (cached) out.cache_read_input_tokens = cached;
  if (written) out.cache_creation_input_tokens = written;
  return out;
}

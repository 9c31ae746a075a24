/**
 * What a step is, in the words of the two conventions GenAI backends read:
 * the OpenTelemetry GenAI semantic conventions (`gen_ai.*`, span names such
 * as `chat {model}`) and OpenInference (`openinference.span.kind`, `input.value`,
 * `llm.*`), as Arize Phoenix and Arize read them. The attribute names are
 * spelled here once; the tests compare them with the conventions packages'
 * own constants.
 *
 * @module
 */

import type { JsonValue, LogEntry, SessionStep } from "../format/types.ts";

/** OpenTelemetry GenAI semantic conventions (incubating), the names used here. */
export const GEN_AI = {
  OPERATION_NAME: "gen_ai.operation.name",
  PROVIDER_NAME: "gen_ai.provider.name",
  REQUEST_MODEL: "gen_ai.request.model",
  RESPONSE_MODEL: "gen_ai.response.model",
  RESPONSE_ID: "gen_ai.response.id",
  RESPONSE_FINISH_REASONS: "gen_ai.response.finish_reasons",
  USAGE_INPUT_TOKENS: "gen_ai.usage.input_tokens",
  USAGE_OUTPUT_TOKENS: "gen_ai.usage.output_tokens",
  USAGE_CACHE_READ_INPUT_TOKENS: "gen_ai.usage.cache_read.input_tokens",
  USAGE_CACHE_CREATION_INPUT_TOKENS: "gen_ai.usage.cache_creation.input_tokens",
  USAGE_REASONING_OUTPUT_TOKENS: "gen_ai.usage.reasoning.output_tokens",
  TOOL_NAME: "gen_ai.tool.name",
  TOOL_CALL_ID: "gen_ai.tool.call.id",
  TOOL_CALL_ARGUMENTS: "gen_ai.tool.call.arguments",
  TOOL_CALL_RESULT: "gen_ai.tool.call.result",
  AGENT_NAME: "gen_ai.agent.name",
  WORKFLOW_NAME: "gen_ai.workflow.name",
  CONVERSATION_ID: "gen_ai.conversation.id",
} as const;

/** OpenInference semantic conventions, the names used here. */
export const OI = {
  SPAN_KIND: "openinference.span.kind",
  INPUT_VALUE: "input.value",
  INPUT_MIME_TYPE: "input.mime_type",
  OUTPUT_VALUE: "output.value",
  OUTPUT_MIME_TYPE: "output.mime_type",
  LLM_MODEL_NAME: "llm.model_name",
  LLM_PROVIDER: "llm.provider",
  LLM_SYSTEM: "llm.system",
  LLM_TOKEN_COUNT_PROMPT: "llm.token_count.prompt",
  LLM_TOKEN_COUNT_COMPLETION: "llm.token_count.completion",
  LLM_TOKEN_COUNT_TOTAL: "llm.token_count.total",
  LLM_TOKEN_COUNT_PROMPT_CACHE_READ: "llm.token_count.prompt_details.cache_read",
  LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE: "llm.token_count.prompt_details.cache_write",
  LLM_TOKEN_COUNT_COMPLETION_REASONING: "llm.token_count.completion_details.reasoning",
  LLM_COST_TOTAL: "llm.cost.total",
  EMBEDDING_MODEL_NAME: "embedding.model_name",
  TOOL_NAME: "tool.name",
  AGENT_NAME: "agent.name",
  SESSION_ID: "session.id",
  METADATA: "metadata",
  MIME_JSON: "application/json",
} as const;

/** What a step is, in both conventions. */
export interface StepClass {
  /** `gen_ai.operation.name`. */
  operation: "chat" | "embeddings" | "execute_tool" | "invoke_agent" | "retrieval" | "invoke_workflow";
  /** `openinference.span.kind`. */
  spanKind: "LLM" | "EMBEDDING" | "TOOL" | "AGENT" | "RETRIEVER" | "GUARDRAIL" | "CHAIN";
  /** The span's name. */
  name: string;
  /** A call to a model served elsewhere (an OTLP CLIENT span). */
  remote: boolean;
}

const MODEL_KINDS = new Set(["llm", "model", "chat", "completion", "generation"]);
const EMBEDDING_KINDS = new Set(["embedding", "embeddings"]);
const TOOL_KINDS = new Set(["tool", "function"]);
const RETRIEVAL_KINDS = new Set(["retrieval", "retriever"]);

/** The model a step's usage names: the requested one, else the one that answered. */
export function modelOf(step: SessionStep): string | undefined {
  const usage = step.usage;
  if (typeof usage?.model === "string" && usage.model !== "") return usage.model;
  if (typeof usage?.response_model === "string" && usage.response_model !== "") return usage.response_model;
  return undefined;
}

/**
 * Classifies a step by its `kind` (case-insensitive) and, for a step without
 * a known kind, by whether its usage names a model: only then is it a model
 * call. Anything else is a CHAIN (`invoke_workflow`), never an LLM.
 */
export function classifyStep(step: SessionStep): StepClass {
  const kind = typeof step.kind === "string" ? step.kind.toLowerCase() : undefined;
  const own = step.name === "" ? "step" : step.name;
  const model = modelOf(step);
  const suffix = model !== undefined ? ` ${model}` : "";
  if (kind !== undefined && TOOL_KINDS.has(kind)) {
    return { operation: "execute_tool", spanKind: "TOOL", name: `execute_tool ${own}`, remote: false };
  }
  if (kind === "agent") {
    return { operation: "invoke_agent", spanKind: "AGENT", name: `invoke_agent ${own}`, remote: false };
  }
  if (kind !== undefined && EMBEDDING_KINDS.has(kind)) {
    return { operation: "embeddings", spanKind: "EMBEDDING", name: `embeddings${suffix}`, remote: true };
  }
  if (kind !== undefined && RETRIEVAL_KINDS.has(kind)) {
    return { operation: "retrieval", spanKind: "RETRIEVER", name: own, remote: false };
  }
  if (kind === "guardrail") return { operation: "invoke_workflow", spanKind: "GUARDRAIL", name: own, remote: false };
  if ((kind !== undefined && MODEL_KINDS.has(kind)) || model !== undefined) {
    return { operation: "chat", spanKind: "LLM", name: `chat${suffix}`, remote: true };
  }
  return { operation: "invoke_workflow", spanKind: "CHAIN", name: own, remote: false };
}

/**
 * The value of the first of `names` found in the step's log entries (the
 * newest first), then in its context; `undefined` when none is there.
 */
export function findField(step: SessionStep, names: readonly string[]): JsonValue | undefined {
  for (let i = step.logs.length - 1; i >= 0; i--) {
    const entry = step.logs[i];
    for (const name of names) if (Object.hasOwn(entry, name) && entry[name] !== null) return entry[name];
  }
  for (const name of names) {
    if (Object.hasOwn(step.context, name) && step.context[name] !== null) return step.context[name];
  }
  return undefined;
}

/** The finish reasons a step recorded (`finish_reasons`, `finish_reason` or `stop_reason`), as strings. */
export function finishReasons(step: SessionStep): string[] | undefined {
  const value = findField(step, ["finish_reasons", "finish_reason", "stop_reason"]);
  if (typeof value === "string" && value !== "") return [value];
  if (Array.isArray(value)) {
    const reasons = value.filter((item): item is string => typeof item === "string");
    return reasons.length > 0 ? reasons : undefined;
  }
  return undefined;
}

/** A log entry without its time. */
export function withoutTime(entry: LogEntry): { [key: string]: JsonValue } {
  const { _t: _, ...fields } = entry;
  return fields;
}

/** A tool step's arguments: `context.args` (what `wrap()` records), `context.input`, else the whole context. */
export function toolArguments(step: SessionStep): JsonValue | undefined {
  const context = step.context;
  if (Object.hasOwn(context, "args")) return context.args;
  if (Object.hasOwn(context, "input")) return context.input;
  return Object.keys(context).length > 0 ? context : undefined;
}

/** A tool step's result: the newest `result` or `output` logged (what `wrap()` logs), else the last log entry. */
export function toolResult(step: SessionStep): JsonValue | undefined {
  const found = findLogged(step, ["result", "output"]);
  if (found !== undefined) return found;
  const last = step.logs.at(-1);
  return last === undefined ? undefined : withoutTime(last);
}

function findLogged(step: SessionStep, names: readonly string[]): JsonValue | undefined {
  for (let i = step.logs.length - 1; i >= 0; i--) {
    const entry = step.logs[i];
    for (const name of names) if (Object.hasOwn(entry, name)) return entry[name];
  }
  return undefined;
}

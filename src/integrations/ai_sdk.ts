/**
 * The Vercel AI SDK (`ai`), recorded as steps: plug {@linkcode aiSdkTelemetry}
 * into the SDK's own telemetry hooks (`ai` 6 and 7), or wrap a model with
 * {@linkcode aiSdkMiddleware} (`wrapLanguageModel`). Each `generateText` /
 * `streamText` call is a step of kind `"agent"`, each model call in it a child
 * of kind `"llm"` with its usage, each tool execution a child of kind
 * `"tool"`; the model's choice between calling a tool and answering is a
 * decision. No runtime dependency: the SDK's shapes are described here.
 *
 * @example Per call (`ai` 6: `experimental_telemetry`, `ai` 7: `telemetry`)
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { aiSdkTelemetry } from "@ai-trace/core/ai-sdk";
 * import { generateText } from "ai";
 * import { MockLanguageModelV3 } from "ai/test";
 *
 * const tracer = new Tracer("assistant", { traceDir: await Deno.makeTempDir() });
 * const model = new MockLanguageModelV3({
 *   doGenerate: {
 *     content: [{ type: "text", text: "Hello!" }],
 *     finishReason: { unified: "stop", raw: "stop" },
 *     usage: {
 *       inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
 *       outputTokens: { total: 3, text: 3, reasoning: 0 },
 *     },
 *     warnings: [],
 *   },
 * });
 * await generateText({ model, prompt: "Say hello", experimental_telemetry: { integrations: aiSdkTelemetry(tracer) } });
 * await tracer.close();
 * console.log(tracer.summary().input_tokens); // 12
 * ```
 *
 * @module
 */

import type { Step, Tracer } from "../record/tracer.ts";
import type { Usage } from "../format/types.ts";
import {
  asContext,
  get,
  items,
  num,
  own,
  parseJsonish,
  path,
  quietly,
  str,
  toolNames,
} from "../format/untrusted_fields.ts";

/**
 * An event the AI SDK passes to a telemetry integration. Only the fields
 * that identify a call are named (the others are read defensively); the SDK's
 * own event types (of `ai` 6 and 7) are assignable to it.
 *
 * @example An event of `ai` 7, handed to a hook
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AiSdkEvent, aiSdkTelemetry } from "@ai-trace/core/ai-sdk";
 *
 * const tracer = new Tracer("assistant", { autoSave: false });
 * const event: AiSdkEvent = { callId: "call-1", operationId: "ai.generateText", functionId: "answer" };
 * aiSdkTelemetry(tracer).onStart?.(event);
 * console.log(tracer.summary().in_flight); // 1
 * ```
 */
export interface AiSdkEvent {
  /** The call the event belongs to (`ai` 7). */
  readonly callId?: string;
  /** The operation, e.g. `"ai.generateText"` (`ai` 7). */
  readonly operationId?: string;
  /** The telemetry function id of the call. */
  readonly functionId?: string;
}

/**
 * A telemetry integration of the AI SDK, as {@linkcode aiSdkTelemetry}
 * returns it: a `TelemetryIntegration` of `ai` 6 and a `Telemetry` of `ai` 7
 * at once (each version calls the hooks it knows).
 *
 * @example Per call instead of globally
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AiSdkTelemetry, aiSdkTelemetry } from "@ai-trace/core/ai-sdk";
 *
 * const tracer = new Tracer("assistant", { autoSave: false });
 * const integration: AiSdkTelemetry = aiSdkTelemetry(tracer);
 * // generateText({ model, prompt, experimental_telemetry: { integrations: integration } }) // ai 6
 * // generateText({ model, prompt, telemetry: { integrations: integration } })             // ai 7
 * console.log(typeof integration.onStart); // function
 * ```
 */
export interface AiSdkTelemetry {
  /** A call (`generateText`, `streamText`, …) begins. */
  onStart(event: AiSdkEvent): void;
  /** A step of the call (a model call and its tool executions) begins. */
  onStepStart(event: AiSdkEvent): void;
  /** A model call begins (`ai` 7). */
  onLanguageModelCallStart(event: AiSdkEvent): void;
  /** A model call ended (`ai` 7). */
  onLanguageModelCallEnd(event: AiSdkEvent): void;
  /** A tool execution begins (`ai` 6). */
  onToolCallStart(event: AiSdkEvent): void;
  /** A tool execution ended (`ai` 6). */
  onToolCallFinish(event: AiSdkEvent): void;
  /** A tool execution begins (`ai` 7). */
  onToolExecutionStart(event: AiSdkEvent): void;
  /** A tool execution ended (`ai` 7). */
  onToolExecutionEnd(event: AiSdkEvent): void;
  /** A step of the call ended (`ai` 6). */
  onStepFinish(event: AiSdkEvent): void;
  /** A step of the call ended (`ai` 7). */
  onStepEnd(event: AiSdkEvent): void;
  /** A step failed before it had a result (`ai` 7). */
  onStepError(event: AiSdkEvent): void;
  /** The call ended (`ai` 6). */
  onFinish(event: AiSdkEvent): void;
  /** The call ended (`ai` 7). */
  onEnd(event: AiSdkEvent): void;
  /** A streaming call was aborted (`ai` 7). */
  onAbort(event: AiSdkEvent): void;
  /** The call failed (`ai` 7). */
  onError(event: unknown): void;
  /** Runs a model call inside its step, so steps begun by the provider nest under it (`ai` 7). */
  executeLanguageModelCall<T>(options: { callId?: string; execute: () => PromiseLike<T> }): PromiseLike<T>;
  /** Runs a tool inside its step, so steps begun by the tool nest under it (`ai` 7). */
  executeTool<T>(options: { callId?: string; toolCallId?: string; execute: () => PromiseLike<T> }): PromiseLike<T>;
}

// One generateText/streamText call being recorded.
interface Call {
  readonly step: Step;
  readonly tools: string[];
  // ai 6 has no call id: its events are matched to a call by these identities.
  readonly functionId: unknown;
  readonly metadata: unknown;
  readonly abortSignal: unknown;
  readonly userContext: unknown;
  // The model call in progress, and (ai 6) when it ended: its step ends with the step's result, later.
  llm?: Step;
  llmEndedAt?: number;
  // Model calls recorded as steps of their own (generateObject and embed in ai 7 report none: the call carries the usage).
  modelCalls: number;
  readonly toolSteps: Map<string, Step>;
  readonly model: string | undefined;
  readonly provider: string | undefined;
  // ai 6: stops listening to the call's abort signal (a long-lived one must not keep a listener per ended call).
  unlisten?: () => void;
}

// Calls of ai 6 held open at once (one that throws is never reported to have ended).
const MAX_OPEN_CALLS = 1000;

const OPERATION_KINDS: Record<string, string> = {
  "ai.embed": "embedding",
  "ai.embedMany": "embedding",
  "ai.rerank": "rerank",
  "ai.generateSpeech": "speech",
  "ai.transcribe": "transcription",
};

/**
 * Records the AI SDK's calls through its telemetry hooks: pass the result to
 * `registerTelemetry()` (`ai` 7) or `registerTelemetryIntegration()` (`ai` 6),
 * or per call in `telemetry.integrations` / `experimental_telemetry.integrations`.
 * No OpenTelemetry set-up is needed.
 *
 * Each call is a step of kind `"agent"` (context: model, provider, function
 * id, tool names, prompt); each model call a child of kind `"llm"` with usage
 * (model, response model, provider, input/output/cached/reasoning tokens),
 * finish reason, response id, text and tool calls logged, and, when tools were
 * offered, a decision (the tool called, or `"answer"`); each tool execution a
 * child of kind `"tool"` with its input as context and its output logged (a
 * throw is a failed step). A stream's steps end when it finishes or aborts.
 *
 * `ai` 6 gives its events no call id: concurrent calls are told apart by their
 * `functionId`, `metadata`, `abortSignal` and `experimental_context`, and
 * otherwise go to the latest call. A call that throws reports nothing in `ai` 6
 * (its step stays in flight); `ai` 7 reports everything.
 *
 * @param tracer the session to record into.
 * @returns an integration for `ai` 6 and `ai` 7.
 * @example Register once, for every call of the program
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { aiSdkTelemetry } from "@ai-trace/core/ai-sdk";
 * import { registerTelemetryIntegration } from "ai";
 *
 * const tracer = new Tracer("assistant", { traceDir: await Deno.makeTempDir() });
 * registerTelemetryIntegration(aiSdkTelemetry(tracer)); // ai 7: registerTelemetry(aiSdkTelemetry(tracer))
 * ```
 */
export function aiSdkTelemetry(tracer: Tracer): AiSdkTelemetry {
  const byId = new Map<string, Call>(); // ai 7
  const open6: Call[] = []; // ai 6, oldest first

  const call7 = (event: unknown): Call | undefined => {
    const id = str(get(event, "callId"));
    return id === undefined ? undefined : byId.get(id);
  };
  // ai 6: the latest open call whose function id and metadata are the event's, preferring the one that also shares
  // its abort signal and experimental_context (soft: with a timeout ai 6 hands tools a signal of its own, and
  // prepareStep may replace the context).
  const call6 = (event: unknown): Call | undefined => {
    const signal = get(event, "abortSignal");
    const userContext = get(event, "experimental_context");
    let best: Call | undefined;
    let bestScore = -1;
    for (let i = open6.length - 1; i >= 0; i--) {
      const call = open6[i];
      if (call.functionId !== get(event, "functionId") || call.metadata !== get(event, "metadata")) continue;
      const score = (signal !== undefined && call.abortSignal === signal ? 2 : 0) +
        (userContext !== undefined && call.userContext === userContext ? 1 : 0);
      if (score > bestScore) {
        best = call;
        bestScore = score;
      }
    }
    return best ?? open6[open6.length - 1];
  };
  const callOf = (event: unknown): Call | undefined => get(event, "callId") === undefined ? call6(event) : call7(event);

  const forget = (call: Call): void => {
    quietly(() => call.unlisten?.());
    call.unlisten = undefined;
    for (const [id, open] of byId) if (open === call) byId.delete(id);
    const i = open6.indexOf(call);
    if (i >= 0) open6.splice(i, 1);
  };

  // Ends what is still open in a call (children first), then the call.
  const endCall = (call: Call, end: (step: Step) => void): void => {
    for (const step of call.toolSteps.values()) end(step);
    call.toolSteps.clear();
    if (call.llm !== undefined) end(call.llm);
    call.llm = undefined;
    end(call.step);
    forget(call);
  };

  const startModelCall = (call: Call, event: unknown): void => {
    const model = str(get(event, "modelId")) ?? str(path(event, "model", "modelId")) ?? call.model;
    const provider = str(get(event, "provider")) ?? str(path(event, "model", "provider")) ?? call.provider;
    const context: Record<string, unknown> = { model, provider };
    const stepNumber = num(get(event, "stepNumber"));
    if (stepNumber !== undefined) context.step_number = stepNumber;
    const messages = get(event, "messages");
    if (items(messages).length > 0) context.messages = items(messages).length;
    call.llm = tracer.step(model ?? "llm", context, { kind: "llm", parent: call.step }).start();
    call.modelCalls++;
    call.llmEndedAt = undefined;
  };

  const endModelCall = (call: Call, event: unknown, responseModel: string | undefined): void => {
    const llm = call.llm;
    if (llm === undefined) return;
    call.llm = undefined;
    recordModelResult(llm, event, {
      model: str(path(event, "model", "modelId")) ?? call.model,
      provider: str(path(event, "model", "provider")) ?? str(get(event, "provider")) ?? call.provider,
      responseModel,
      tools: call.tools,
    });
    const endTime = call.llmEndedAt;
    call.llmEndedAt = undefined;
    const finishReason = reasonOf(get(event, "finishReason"));
    if (finishReason === "error") llm.fail("the model reported an error", { endTime });
    else llm.finish("ok", { endTime });
  };

  const startTool = (event: unknown): void => {
    const call = callOf(event);
    if (call === undefined) return;
    // ai 6 reports the model call's end only after its tools ran: it ended when the first tool began.
    if (call.llm !== undefined && call.llmEndedAt === undefined && get(event, "callId") === undefined) {
      call.llmEndedAt = Date.now();
    }
    const toolCall = get(event, "toolCall");
    const name = str(get(toolCall, "toolName")) ?? "tool";
    const id = str(get(toolCall, "toolCallId")) ?? `${call.toolSteps.size}`;
    const step = tracer.step(name, asContext(parseJsonish(get(toolCall, "input")), "input"), {
      kind: "tool",
      parent: call.step,
    }).start();
    call.toolSteps.set(id, step);
  };

  const endTool = (event: unknown, failed: boolean, error: unknown, output: unknown): void => {
    const call = callOf(event);
    const id = str(path(event, "toolCall", "toolCallId"));
    if (call === undefined || id === undefined) return;
    const step = call.toolSteps.get(id);
    if (step === undefined) return;
    call.toolSteps.delete(id);
    if (failed) {
      step.log({ tool_call_id: id });
      step.fail(error);
      return;
    }
    step.log(output === undefined ? { tool_call_id: id } : { output, tool_call_id: id });
    step.finish();
  };

  const integration: AiSdkTelemetry = {
    onStart(event) {
      quietly(() => {
        const callId = str(get(event, "callId"));
        const operation = str(get(event, "operationId"));
        const model = str(get(event, "modelId")) ?? str(path(event, "model", "modelId"));
        const provider = str(get(event, "provider")) ?? str(path(event, "model", "provider"));
        const functionId = str(get(event, "functionId"));
        const active = items(get(event, "activeTools")).filter((name): name is string => typeof name === "string");
        const tools = active.length > 0 ? active : toolNames(get(event, "tools"));
        const context: Record<string, unknown> = { model, provider };
        if (functionId !== undefined) context.function_id = functionId;
        if (tools.length > 0) context.tools = tools;
        const instructions = get(event, "instructions") ?? get(event, "system");
        if (instructions !== undefined) context.system = instructions;
        const prompt = get(event, "prompt");
        if (prompt !== undefined) context.prompt = prompt;
        else if (get(event, "messages") !== undefined) {
          const text = singlePrompt(get(event, "messages"));
          if (text !== undefined) context.prompt = text;
          else context.messages = lastItems(get(event, "messages"), 20);
        }
        const kind = (operation !== undefined ? own(OPERATION_KINDS, operation) : undefined) ?? "agent";
        const name = functionId ?? operation?.replace(/^ai\./, "") ?? "generate";
        const step = tracer.step(name, context, { kind }).start();
        const call: Call = {
          step,
          tools,
          functionId: get(event, "functionId"),
          metadata: get(event, "metadata"),
          abortSignal: get(event, "abortSignal"),
          userContext: get(event, "experimental_context"),
          toolSteps: new Map(),
          modelCalls: 0,
          model,
          provider,
        };
        if (callId !== undefined) {
          byId.set(callId, call);
          return;
        }
        open6.push(call);
        // An ai 6 call that throws reports no end: keep a bounded number open, ending the oldest as unfinished.
        if (open6.length > MAX_OPEN_CALLS) endCall(open6[0], (step) => step.finish("unfinished"));
        // ai 6 reports no abort: listen to the call's signal, when it has one.
        const signal = call.abortSignal as AbortSignal | undefined;
        if (signal !== undefined && typeof get(signal, "addEventListener") === "function") {
          const onAbort = () =>
            quietly(() => {
              if (open6.includes(call)) endCall(call, (open) => open.finish("aborted"));
            });
          signal.addEventListener("abort", onAbort, { once: true });
          call.unlisten = () => signal.removeEventListener("abort", onAbort);
        }
      });
    },
    onStepStart(event) {
      quietly(() => {
        if (get(event, "callId") !== undefined) return; // ai 7 reports the model call itself
        const call = call6(event);
        if (call !== undefined) startModelCall(call, event);
      });
    },
    onLanguageModelCallStart(event) {
      quietly(() => {
        const call = call7(event);
        if (call !== undefined) startModelCall(call, event);
      });
    },
    onLanguageModelCallEnd(event) {
      quietly(() => {
        const call = call7(event);
        // ai 7 gives the requested model at the start and the answering one here.
        if (call !== undefined) endModelCall(call, event, str(get(event, "modelId")));
      });
    },
    onToolCallStart(event) {
      quietly(() => startTool(event));
    },
    onToolCallFinish(event) {
      quietly(() => endTool(event, get(event, "success") === false, get(event, "error"), get(event, "output")));
    },
    onToolExecutionStart(event) {
      quietly(() => startTool(event));
    },
    onToolExecutionEnd(event) {
      quietly(() => {
        const output = get(event, "toolOutput");
        const failed = get(output, "type") === "tool-error";
        endTool(event, failed, get(output, "error"), get(output, "output"));
      });
    },
    onStepFinish(event) {
      quietly(() => {
        if (get(event, "callId") !== undefined) return; // ai 7 calls onStepEnd too
        const call = call6(event);
        if (call !== undefined) endModelCall(call, event, str(path(event, "response", "modelId")));
      });
    },
    onStepEnd(event) {
      quietly(() => {
        // The model call ended with onLanguageModelCallEnd; close what a missing end left open.
        const call = call7(event);
        if (call?.llm !== undefined) endModelCall(call, event, str(path(event, "response", "modelId")));
      });
    },
    onStepError(event) {
      quietly(() => {
        const call = call7(event);
        if (call === undefined) return;
        for (const step of call.toolSteps.values()) step.fail(get(event, "error"));
        call.toolSteps.clear();
        call.llm?.fail(get(event, "error"));
        call.llm = undefined;
      });
    },
    onFinish(event) {
      quietly(() => {
        if (get(event, "callId") !== undefined) return;
        const call = call6(event);
        if (call !== undefined) endCall(call, (step) => endWithResult(step, call, event));
      });
    },
    onEnd(event) {
      quietly(() => {
        const call = call7(event);
        if (call !== undefined) endCall(call, (step) => endWithResult(step, call, event));
      });
    },
    onAbort(event) {
      quietly(() => {
        const call = call7(event);
        if (call !== undefined) endCall(call, (step) => step.finish("aborted"));
      });
    },
    onError(event) {
      quietly(() => {
        const call = call7(event);
        if (call !== undefined) endCall(call, (step) => step.fail(get(event, "error")));
      });
    },
    executeLanguageModelCall<T>(options: { callId?: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
      const step = call7(options)?.llm;
      return step === undefined ? options.execute() : step.run(() => options.execute());
    },
    executeTool<T>(options: { callId?: string; toolCallId?: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
      const id = str(get(options, "toolCallId"));
      const step = id === undefined ? undefined : call7(options)?.toolSteps.get(id);
      return step === undefined ? options.execute() : step.run(() => options.execute());
    },
  };
  return integration;
}

// The call's own step ends with the final text (its children carry the usage); its open children as they are.
function endWithResult(step: Step, call: Call, event: unknown): void {
  if (step !== call.step) {
    step.finish();
    return;
  }
  const fields: Record<string, unknown> = {};
  const text = get(event, "text");
  if (typeof text === "string" && text !== "") fields.text = text;
  const finishReason = reasonOf(get(event, "finishReason"));
  if (finishReason !== undefined) fields.finish_reason = finishReason;
  const steps = items(get(event, "steps")).length;
  if (steps > 0) fields.steps = steps;
  const total = usageOf(get(event, "totalUsage") ?? get(event, "usage"));
  if (call.modelCalls > 0 && (total.input_tokens !== undefined || total.output_tokens !== undefined)) {
    // The model calls below carry the usage: here it is only their total.
    fields.total_tokens = { input: total.input_tokens, output: total.output_tokens };
  }
  if (Object.keys(fields).length > 0) step.log(fields);
  if (call.modelCalls === 0) {
    // No model call was reported on its own (generateObject, embed): the call carries its usage.
    if (call.model !== undefined) total.model = call.model;
    const responseModel = str(path(event, "response", "modelId"));
    if (responseModel !== undefined && responseModel !== call.model) total.response_model = responseModel;
    if (call.provider !== undefined) total.provider = call.provider;
    if (Object.keys(total).length > 0) step.usage(total);
  }
  step.finish();
}

// The text of a conversation that is one user message (ai 7 reports a `prompt` so), else undefined.
function singlePrompt(messages: unknown): string | undefined {
  const all = items(messages, 2);
  if (all.length !== 1 || get(all[0], "role") !== "user") return undefined;
  const content = get(all[0], "content");
  if (typeof content === "string") return content;
  const parts = items(content, 100);
  if (parts.length === 0 || parts.some((part) => get(part, "type") !== "text")) return undefined;
  return parts.map((part) => str(get(part, "text")) ?? "").join("");
}

function lastItems(value: unknown, max: number): unknown {
  const all = items(value, 100_000);
  return all.length <= max ? all : all.slice(-max);
}

/** A finish reason as a string: `"stop"`, or the `unified` field of `{ unified, raw }`. */
function reasonOf(value: unknown): string | undefined {
  return str(value) ?? str(get(value, "unified"));
}

/**
 * Usage from the AI SDK's `LanguageModelUsage` (numbers and `…Details`) or a
 * provider's raw usage (`{ inputTokens: { total, cacheRead, … } }`).
 */
function usageOf(usage: unknown): Usage {
  const out: Usage = {};
  const input = get(usage, "inputTokens");
  const output = get(usage, "outputTokens");
  const inputTokens = num(input) ?? num(get(input, "total")) ?? num(get(usage, "tokens")); // embeddings: { tokens }
  const outputTokens = num(output) ?? num(get(output, "total"));
  const cacheRead = num(path(usage, "inputTokenDetails", "cacheReadTokens")) ?? num(get(input, "cacheRead")) ??
    num(get(usage, "cachedInputTokens"));
  const cacheWrite = num(path(usage, "inputTokenDetails", "cacheWriteTokens")) ?? num(get(input, "cacheWrite"));
  const reasoning = num(path(usage, "outputTokenDetails", "reasoningTokens")) ?? num(get(output, "reasoning")) ??
    num(get(usage, "reasoningTokens"));
  if (inputTokens !== undefined) out.input_tokens = inputTokens;
  if (outputTokens !== undefined) out.output_tokens = outputTokens;
  if (cacheRead) out.cache_read_input_tokens = cacheRead;
  if (cacheWrite) out.cache_creation_input_tokens = cacheWrite;
  if (reasoning) out.reasoning_tokens = reasoning;
  return out;
}

interface ModelFacts {
  model: string | undefined;
  provider: string | undefined;
  responseModel: string | undefined;
  tools: string[];
}

// Usage, finish reason, response id, text and tool calls of a model call, and its choice between tools and answering.
function recordModelResult(step: Step, result: unknown, facts: ModelFacts): void {
  const usage = usageOf(get(result, "usage"));
  if (facts.model !== undefined) usage.model = facts.model;
  if (facts.responseModel !== undefined && facts.responseModel !== facts.model) {
    usage.response_model = facts.responseModel;
  }
  if (facts.provider !== undefined) usage.provider = facts.provider;
  step.usage(usage);
  const fields: Record<string, unknown> = {};
  const finishReason = reasonOf(get(result, "finishReason"));
  if (finishReason !== undefined) fields.finish_reason = finishReason;
  const responseId = str(get(result, "responseId")) ?? str(path(result, "response", "id"));
  if (responseId !== undefined) fields.response_id = responseId;
  const content = items(get(result, "content"));
  let text = "";
  const toolCalls: { id?: string; name: string; input: unknown }[] = [];
  for (const part of content) {
    const type = get(part, "type");
    if (type === "text") text += str(get(part, "text")) ?? "";
    else if (type === "tool-call") {
      toolCalls.push({
        id: str(get(part, "toolCallId")),
        name: str(get(part, "toolName")) ?? "tool",
        input: parseJsonish(get(part, "input")),
      });
    }
  }
  if (text === "" && typeof get(result, "text") === "string") text = get(result, "text") as string;
  if (text !== "") fields.text = text;
  if (toolCalls.length > 0) fields.tool_calls = toolCalls;
  if (Object.keys(fields).length > 0) step.log(fields);
  decideToolsOrAnswer(step, toolCalls.map((call) => call.name), facts.tools);
}

// Where the model could call tools, what it chose: the tool(s) it called, or "answer".
function decideToolsOrAnswer(step: Step, called: string[], offered: string[]): void {
  if (offered.length === 0 && called.length === 0) return;
  const action = called.length === 0 ? "answer" : [...new Set(called)].join(", ");
  const alternatives = [...offered, "answer"].filter((option) => !called.includes(option) && option !== action);
  step.decide(action, { alternatives });
}

/**
 * A language-model middleware, as `wrapLanguageModel` of `ai` 5–7 takes it.
 * `P` is the SDK's call options type, inferred where the middleware is used.
 *
 * @example Wrap a model
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { type AiSdkMiddleware, aiSdkMiddleware } from "@ai-trace/core/ai-sdk";
 *
 * const tracer = new Tracer("assistant", { autoSave: false });
 * const middleware: AiSdkMiddleware = aiSdkMiddleware(tracer);
 * // const model = wrapLanguageModel({ model: openai("gpt-4o-mini"), middleware });
 * console.log(middleware.specificationVersion); // v3
 * ```
 */
export interface AiSdkMiddleware {
  /** The middleware version `ai` 6 checks (`ai` 7 takes any). */
  readonly specificationVersion: "v3";
  /** Records a non-streaming model call. */
  wrapGenerate<R>(options: {
    doGenerate: () => PromiseLike<R>;
    params: unknown;
    model: { readonly provider: string; readonly modelId: string };
  }): Promise<R>;
  /** Records a streaming model call; its step ends when the stream ends, fails or is cancelled. */
  wrapStream<R extends { stream: ReadableStream<unknown> }>(options: {
    doStream: () => PromiseLike<R>;
    params: unknown;
    model: { readonly provider: string; readonly modelId: string };
  }): Promise<R>;
}

/**
 * A language-model middleware that records each model call as a step of kind
 * `"llm"` under the current step: usage (model, response model, provider,
 * input/output/cached/reasoning tokens), finish reason, response id, text and
 * tool calls logged, and, when tools were offered, the choice between calling
 * them and answering as a decision. Streams are recorded as they pass, chunk
 * for chunk unchanged; the step ends when the stream ends, fails or is
 * cancelled. Tool executions are not seen by a model middleware: use
 * {@linkcode aiSdkTelemetry}, or wrap the tools with `tracer.wrap`.
 *
 * @param tracer the session to record into.
 * @returns a middleware for `wrapLanguageModel` (`ai` 5–7).
 * @example Wrap a model once, use it everywhere
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 * import { aiSdkMiddleware } from "@ai-trace/core/ai-sdk";
 * import { generateText, wrapLanguageModel } from "ai";
 * import { MockLanguageModelV3 } from "ai/test";
 *
 * const tracer = new Tracer("assistant", { traceDir: await Deno.makeTempDir() });
 * const model = wrapLanguageModel({
 *   model: new MockLanguageModelV3({
 *     doGenerate: {
 *       content: [{ type: "text", text: "Hello!" }],
 *       finishReason: { unified: "stop", raw: "stop" },
 *       usage: {
 *         inputTokens: { total: 12, noCache: 12, cacheRead: 0, cacheWrite: 0 },
 *         outputTokens: { total: 3, text: 3, reasoning: 0 },
 *       },
 *       warnings: [],
 *     },
 *   }),
 *   middleware: aiSdkMiddleware(tracer),
 * });
 * await generateText({ model, prompt: "Say hello" });
 * await tracer.close();
 * console.log(tracer.summary().output_tokens); // 3
 * ```
 */
export function aiSdkMiddleware(tracer: Tracer): AiSdkMiddleware {
  const begin = (params: unknown, model: unknown): { step: Step; facts: ModelFacts } => {
    const modelId = str(get(model, "modelId"));
    const provider = str(get(model, "provider"));
    const tools = toolNames(get(params, "tools"));
    const context: Record<string, unknown> = { model: modelId, provider };
    if (tools.length > 0) context.tools = tools;
    const prompt = get(params, "prompt");
    if (prompt !== undefined) context.prompt = lastItems(prompt, 20);
    const step = tracer.step(modelId ?? "llm", context, { kind: "llm" }).start();
    return { step, facts: { model: modelId, provider, responseModel: undefined, tools } };
  };
  return {
    specificationVersion: "v3",
    async wrapGenerate<R>(options: {
      doGenerate: () => PromiseLike<R>;
      params: unknown;
      model: { readonly provider: string; readonly modelId: string };
    }): Promise<R> {
      let started: { step: Step; facts: ModelFacts } | undefined;
      quietly(() => started = begin(options.params, options.model));
      if (started === undefined) return await options.doGenerate();
      const { step, facts } = started;
      let result: R;
      try {
        result = await step.run(() => options.doGenerate());
      } catch (error) {
        quietly(() => step.fail(error));
        throw error;
      }
      quietly(() => {
        recordModelResult(step, result, { ...facts, responseModel: str(path(result, "response", "modelId")) });
        if (reasonOf(get(result, "finishReason")) === "error") step.fail("the model reported an error");
        else step.finish();
      });
      return result;
    },
    async wrapStream<R extends { stream: ReadableStream<unknown> }>(options: {
      doStream: () => PromiseLike<R>;
      params: unknown;
      model: { readonly provider: string; readonly modelId: string };
    }): Promise<R> {
      let started: { step: Step; facts: ModelFacts } | undefined;
      quietly(() => started = begin(options.params, options.model));
      if (started === undefined) return await options.doStream();
      const { step, facts } = started;
      let result: R;
      try {
        result = await step.run(() => options.doStream());
      } catch (error) {
        quietly(() => step.fail(error));
        throw error;
      }
      return { ...result, stream: recordStream(result.stream, step, facts) };
    },
  };
}

// The stream as it was, chunk for chunk, with the step ended when it ends, errors or is cancelled.
function recordStream<T>(source: ReadableStream<T>, step: Step, facts: ModelFacts): ReadableStream<T> {
  const reader = source.getReader();
  const seen = { content: [] as unknown[], text: "", usage: undefined as unknown, finishReason: undefined as unknown };
  let responseId: string | undefined;
  let responseModel: string | undefined;
  let error: unknown;
  let failed = false;
  let done = false;
  const end = (outcome: "ok" | "aborted"): void => {
    if (done) return;
    done = true;
    quietly(() => {
      const result = {
        content: [{ type: "text", text: seen.text }, ...seen.content],
        usage: seen.usage,
        finishReason: seen.finishReason,
        responseId,
      };
      recordModelResult(step, result, { ...facts, responseModel });
      if (failed || reasonOf(seen.finishReason) === "error") step.fail(error ?? "the model reported an error");
      else step.finish(outcome);
    });
  };
  const observe = (chunk: unknown): void => {
    switch (get(chunk, "type")) {
      case "text-delta":
        seen.text += str(get(chunk, "delta")) ?? str(get(chunk, "textDelta")) ?? "";
        break;
      case "tool-call":
        seen.content.push(chunk);
        break;
      case "response-metadata":
        responseId = str(get(chunk, "id")) ?? responseId;
        responseModel = str(get(chunk, "modelId")) ?? responseModel;
        break;
      case "finish":
        seen.usage = get(chunk, "usage");
        seen.finishReason = get(chunk, "finishReason");
        break;
      case "error":
        failed = true;
        error = get(chunk, "error");
        break;
    }
  };
  return new ReadableStream<T>({
    async pull(controller) {
      let next: ReadableStreamReadResult<T>;
      try {
        next = await reader.read();
      } catch (err) {
        failed = true;
        error = err;
        end("ok");
        controller.error(err);
        return;
      }
      if (next.done) {
        end("ok");
        controller.close();
        return;
      }
      quietly(() => observe(next.value));
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      end("aborted");
      await reader.cancel(reason);
    },
  });
}

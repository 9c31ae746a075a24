/**
 * ai-trace: a local decision recorder for AI agents. An agent's run becomes
 * one append-only JSONL file that answers, after the fact: what did the agent
 * see when it decided, what did it decide, why, how long did it take, and
 * what failed. Nothing leaves the machine.
 *
 * @example Record a run
 * ```ts
 * import { Tracer } from "@ai-trace/core";
 *
 * const tracer = new Tracer("trading_agent", { traceDir: await Deno.makeTempDir() });
 * await tracer.step("market_scan", { symbol: "BTCUSDT" }, async (step) => {
 *   step.log({ signal: 0.87 });
 *   step.decide("ENTER_LONG", { reason: "SuperTrend bullish + volume spike", confidence: 0.87 });
 * });
 * await tracer.close();
 * console.log(tracer.path);
 * ```
 *
 * @module
 */

export {
  type DecideOptions,
  type EndOptions,
  Step,
  type StepOptions,
  Tracer,
  type TracerOptions,
  type WrapOptions,
} from "./src/record/tracer.ts";
export type { RedactOptions } from "./src/record/redact.ts";
export { readSession, type ReadSessionOptions } from "./src/read/session_reader.ts";
export { NotFoundError, PermissionError } from "./src/runtime.ts";
export {
  AmbiguousSessionError,
  findSession,
  type FindSessionOptions,
  listTraceFiles,
  SessionNotFoundError,
  TraceDirError,
  type TraceDirListing,
  type TraceFile,
} from "./src/read/trace_dir.ts";
export type { SessionFilter } from "./src/read/session_filter.ts";
export { type PrunedSession, type PruneOptions, type PruneResult, pruneSessions } from "./src/read/prune.ts";
export { renderHtml, type RenderHtmlOptions } from "./src/render/html_report.ts";
export {
  type DiffMarker,
  type DiffOptions,
  type DiffRow,
  diffSessions,
  type DivergenceReason,
  type FirstDivergence,
  type SessionDiff,
  type SessionTotals,
  type StepDifference,
} from "./src/compare/diff.ts";
export { type CheckReport, type CheckResult, type CheckRules, checkSession } from "./src/compare/check.ts";
export { collectStats, type CollectStatsOptions, type NameStats, type StatsReport } from "./src/read/stats.ts";
export type {
  Decision,
  EndRecord,
  JsonObject,
  JsonValue,
  LogEntry,
  NameSummary,
  ReadWarning,
  Session,
  SessionRecord,
  SessionState,
  SessionStep,
  StartRecord,
  StepRecord,
  Summary,
  TraceRecord,
  Usage,
  UsageTotals,
} from "./src/format/types.ts";
export { OtlpSpanKind, OtlpStatusCode, toOtlp } from "./src/otlp/to_otlp.ts";
export type {
  OtlpAnyValue,
  OtlpArrayValue,
  OtlpConventions,
  OtlpEvent,
  OtlpExportRequest,
  OtlpInstrumentationScope,
  OtlpKeyValue,
  OtlpKeyValueList,
  OtlpResource,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpStatus,
  ToOtlpOptions,
} from "./src/otlp/to_otlp.ts";
export { encodeOtlpRequest } from "./src/otlp/otlp_protobuf.ts";
export { OtlpPushError, pushOtlp } from "./src/otlp/push.ts";
export type {
  FetchLike,
  OtlpCompression,
  OtlpProtocol,
  PushOtlpOptions,
  PushOtlpResult,
  PushRetryInfo,
} from "./src/otlp/push.ts";

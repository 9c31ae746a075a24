#!/usr/bin/env node
// Smoke test of the npm package as a user gets it: packs the tarball, installs
// it in a fresh folder, traces a session from Node, runs the CLI through the
// package's bin with npx and bunx, and type-checks a TypeScript consumer.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = mkdtempSync(join(tmpdir(), "ai-trace-smoke-"));
const run = (command, args, options = {}) => {
  console.log(`$ ${command} ${args.join(" ")}`);
  const out = execFileSync(command, args, {
    cwd: work,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    ...options,
  });
  process.stdout.write(out);
  return out;
};
const check = (condition, message) => {
  if (!condition) {
    console.error(`smoke: FAILED: ${message}`);
    process.exit(1);
  }
  console.log(`smoke: ok: ${message}`);
};

try {
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
  check(tarball !== undefined, "npm pack made a tarball");
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", "--no-audit", "--no-fund", `./${tarball}`, "typescript@5", "@types/node@20"]);

  const traced = run("node", [
    "-e",
    `import { Tracer } from "ai-trace";
const tracer = new Tracer("node_consumer", { traceDir: "traces" });
await tracer.step("fetch", { url: "https://example.com" }, async (step) => { step.log({ bytes: 512 }); });
tracer.step("decide", (step) => step.decide("BUY", { reason: "cheap", confidence: 0.9 }));
await tracer.close();
console.log("TRACE " + tracer.path);`,
    "--input-type=module",
  ]);
  check(/TRACE traces\/node_consumer_\d{8}_\d{6}_\w+\.jsonl/.test(traced), `Node ${process.version} traced a session`);

  // CommonJS: require("ai-trace") loads the ES module where Node can (20.19+, 22.12+); where it cannot (the CLI entry
  // has top-level await) it says what to do instead of ERR_PACKAGE_PATH_NOT_EXPORTED.
  const required = run("node", [
    "-e",
    `const { Tracer } = require("ai-trace");
const tracer = new Tracer("cjs_consumer", { traceDir: "traces_cjs" });
tracer.step("scan", () => {});
tracer.close().then(() => console.log("CJS " + tracer.summary().steps));
try { require("ai-trace/cli"); } catch (err) { console.log("CLI " + err.message); }`,
  ]);
  check(
    required.includes("CJS 1") &&
      /CLI "ai-trace\/cli" is an ES module .*await import\("ai-trace\/cli"\)/.test(required),
    'require("ai-trace") works from CommonJS, and require("ai-trace/cli") says to use import',
  );

  const viewed = run("npx", ["--no-install", "ai-trace", "--dir", "traces", "view", "latest"]);
  check(
    viewed.includes("fetch") && viewed.includes("BUY"),
    "npx ai-trace view latest shows the steps and the decision",
  );

  const bunx = join(root, "node_modules", ".bin", "bunx");
  const listed = run(bunx, ["ai-trace", "--dir", "traces", "list"]);
  check(listed.includes("node_consumer"), "bunx ai-trace list shows the session");

  // The integrations' subpaths load in Node with none of the frameworks installed (no runtime dependency).
  const integrations = run("node", [
    "--input-type=module",
    "-e",
    `import { Tracer } from "ai-trace";
import { aiSdkMiddleware, aiSdkTelemetry } from "ai-trace/ai-sdk";
import { openAIAgentsProcessor } from "ai-trace/openai-agents";
import { AiTraceSpanExporter } from "ai-trace/otel";
const tracer = new Tracer("integrations", { traceDir: "traces" });
const ai = aiSdkTelemetry(tracer);
ai.onStart({ callId: "c1", operationId: "ai.generateText", provider: "p", modelId: "m", prompt: "hi" });
ai.onLanguageModelCallStart({ callId: "c1", provider: "p", modelId: "m" });
ai.onLanguageModelCallEnd({ callId: "c1", modelId: "m", finishReason: "stop", usage: { inputTokens: 3, outputTokens: 1 } });
ai.onEnd({ callId: "c1", text: "hey" });
console.log("MIDDLEWARE " + aiSdkMiddleware(tracer).specificationVersion);
const agents = openAIAgentsProcessor(tracer);
await agents.onTraceStart({ traceId: "t1", name: "workflow" });
await agents.onTraceEnd({ traceId: "t1", name: "workflow" });
await tracer.close();
console.log("STEPS " + tracer.summary().steps + " TOKENS " + tracer.summary().input_tokens);
const exporter = new AiTraceSpanExporter({ traceDir: "traces" });
const span = { name: "root", spanContext: () => ({ traceId: "aa", spanId: "bb" }), startTime: [1, 0], endTime: [2, 0],
  status: { code: 0 }, attributes: { "gen_ai.agent.name": "otel_agent" }, events: [] };
exporter.export([span], (result) => console.log("EXPORT " + result.code));`,
  ]);
  check(
    integrations.includes("MIDDLEWARE v3") && integrations.includes("STEPS 3 TOKENS 3") &&
      integrations.includes("EXPORT 0"),
    "ai-trace/ai-sdk, ai-trace/openai-agents and ai-trace/otel import and record from Node",
  );
  // The SDK wrappers' subpaths load in Node 20 with neither SDK installed, and record a client's calls.
  const wrappers = run("node", [
    "--input-type=module",
    "-e",
    `import { Tracer } from "ai-trace";
import { wrapOpenAI } from "ai-trace/openai";
import { wrapAnthropic } from "ai-trace/anthropic";
const tracer = new Tracer("sdk_wrappers", { traceDir: "traces" });
const openaiLike = { chat: { completions: { create: async (body) => ({ id: "c1", model: body.model,
  choices: [{ message: { content: "hi" }, finish_reason: "stop" }], usage: { prompt_tokens: 5, completion_tokens: 2 } }) } } };
const anthropicLike = { messages: { create: async (body) => ({ id: "m1", model: body.model, content: [{ type: "text", text: "hi" }],
  stop_reason: "end_turn", usage: { input_tokens: 7, output_tokens: 3 } }) } };
const openai = wrapOpenAI(openaiLike, tracer);
const anthropic = wrapAnthropic(anthropicLike, tracer);
const reply = await openai.chat.completions.create({ model: "gpt-4o-mini", messages: [] });
const message = await anthropic.messages.create({ model: "claude-haiku-4-5", max_tokens: 9, messages: [] });
await tracer.close();
console.log("WRAPPED " + reply.id + " " + message.id + " TOKENS " + tracer.summary().input_tokens);`,
  ]);
  check(
    wrappers.includes("WRAPPED c1 m1 TOKENS 12"),
    "ai-trace/openai and ai-trace/anthropic import and record from Node",
  );

  const otelListed = run("npx", ["--no-install", "ai-trace", "--dir", "traces", "list"]);
  check(otelListed.includes("otel_agent"), "the OTel exporter's session is listed");

  writeFileSync(
    join(work, "consumer.ts"),
    `import { Tracer, type Summary } from "ai-trace";
import { main } from "ai-trace/cli";
import { type AiSdkTelemetry, aiSdkTelemetry } from "ai-trace/ai-sdk";
import { type AgentsTracingProcessor, openAIAgentsProcessor } from "ai-trace/openai-agents";
import { AiTraceSpanExporter } from "ai-trace/otel";
import { type WrapOpenAIOptions, wrapOpenAI } from "ai-trace/openai";
import { type WrapAnthropicOptions, wrapAnthropic } from "ai-trace/anthropic";
const tracer = new Tracer("typed", { traceDir: "traces", meta: { model: "m" } });
const n: number = tracer.step("s", { a: 1 }, (step) => { step.usage({ input_tokens: 1 }); return 1; });
const summary: Summary = tracer.summary();
const code: Promise<number> = main(["list"]);
console.log(n, summary.steps, code);
const integration: AiSdkTelemetry = aiSdkTelemetry(tracer);
const processor: AgentsTracingProcessor = openAIAgentsProcessor(tracer);
const exporter: AiTraceSpanExporter = new AiTraceSpanExporter({ traceDir: "traces" });
console.log(integration, processor, exporter);
const openaiOptions: WrapOpenAIOptions = { includeUsage: true, prices: { m: { input: 1, output: 2 } } };
const anthropicOptions: WrapAnthropicOptions = { recordMessages: false };
const client = wrapOpenAI({ embeddings: { create: async (body: { input: string }) => body.input.length } }, tracer, openaiOptions);
const length: Promise<number> = client.embeddings.create({ input: "tide" });
console.log(length, wrapAnthropic({ messages: {} }, tracer, anthropicOptions));
`,
  );
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        noEmit: true,
        types: ["node"],
      },
      files: ["consumer.ts"],
    }),
  );
  run(join(work, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"]);
  check(true, "the types resolve for a TypeScript consumer (tsc --noEmit)");
} finally {
  rmSync(work, { recursive: true, force: true });
}

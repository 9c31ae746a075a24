/**
 * A mock of the OpenAI and Anthropic HTTP APIs on 127.0.0.1 (a random port),
 * for the real `openai` and `@anthropic-ai/sdk` clients to talk to offline.
 * Answers are deterministic, so a wrapped and an unwrapped client get the
 * same bytes. The request's `model` picks a failure: `"error-429"` (with
 * `retry-after`), `"error-500"`, `"malformed"` (a 200 whose body is not JSON).
 *
 * @module
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Buffer } from "node:buffer";

/** A running mock server. */
export interface MockLlmServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The request bodies received, in order, with their paths. */
  requests: { path: string; body: Record<string, unknown> }[];
  /** Stops the server. */
  close(): Promise<void>;
}

/** Starts the mock server. */
export async function startMockLlmServer(): Promise<MockLlmServer> {
  const requests: MockLlmServer["requests"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        // leave it empty
      }
      const path = (req.url ?? "").split("?")[0];
      requests.push({ path, body });
      try {
        route(req, res, path, body);
      } catch (error) {
        res.writeHead(599, { "content-type": "text/plain" });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function route(_req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown>): void {
  const anthropic = path === "/v1/messages";
  const idHeader = anthropic ? "request-id" : "x-request-id";
  const requestId = `req_${path.split("/").pop()}_${String(body.model)}${body.stream === true ? "_stream" : ""}`;
  const model = body.model;
  if (model === "error-429") {
    json(res, 429, { [idHeader]: requestId, "retry-after": "7" }, errorBody(anthropic, "rate_limit", "Slow down"));
    return;
  }
  if (model === "error-500") {
    json(res, 500, { [idHeader]: requestId }, errorBody(anthropic, "server", "Something broke"));
    return;
  }
  if (model === "malformed") {
    res.writeHead(200, { "content-type": "application/json", [idHeader]: requestId });
    res.end('{"id": "cut off');
    return;
  }
  switch (path) {
    case "/v1/chat/completions":
      return chatCompletions(res, requestId, body);
    case "/v1/responses":
      if (body.stream === true) {
        const done = responseObject(body) as Record<string, unknown>;
        const created = { ...done, status: "in_progress", output: [], usage: null };
        return sse(res, { "x-request-id": requestId }, [
          { event: "response.created", data: { type: "response.created", sequence_number: 0, response: created } },
          {
            event: "response.output_text.delta",
            data: {
              type: "response.output_text.delta",
              sequence_number: 1,
              item_id: "msg_1",
              output_index: 1,
              content_index: 0,
              delta: "Low tide is at six.",
            },
          },
          { event: "response.completed", data: { type: "response.completed", sequence_number: 2, response: done } },
        ]);
      }
      return json(res, 200, { "x-request-id": requestId }, responseObject(body));
    case "/v1/embeddings":
      return embeddings(res, requestId, body);
    case "/v1/messages":
      return messages(res, requestId, body);
  }
  json(res, 404, {}, { error: { message: `no route ${path}` } });
}

function errorBody(anthropic: boolean, kind: "rate_limit" | "server", message: string): unknown {
  if (anthropic) {
    return { type: "error", error: { type: kind === "rate_limit" ? "rate_limit_error" : "api_error", message } };
  }
  return {
    error: {
      message,
      type: kind === "rate_limit" ? "requests" : "server_error",
      code: kind === "rate_limit" ? "rate_limit_exceeded" : null,
      param: null,
    },
  };
}

function json(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function sse(res: ServerResponse, headers: Record<string, string>, events: { event?: string; data: unknown }[]): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", ...headers });
  for (const { event, data } of events) {
    res.write(`${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

const CREATED = 1_767_225_600;

function chatCompletions(res: ServerResponse, requestId: string, body: Record<string, unknown>): void {
  const model = `${String(body.model)}-2026-01-01`;
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0;
  const usage = {
    prompt_tokens: 120,
    completion_tokens: 30,
    total_tokens: 150,
    prompt_tokens_details: { cached_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 12 },
  };
  if (body.stream === true) {
    const base = { id: "chatcmpl-stream-1", object: "chat.completion.chunk", created: CREATED, model };
    const events: { data: unknown }[] = [
      { data: { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] } },
      { data: { ...base, choices: [{ index: 0, delta: { content: "High tide " }, finish_reason: null }] } },
      { data: { ...base, choices: [{ index: 0, delta: { content: "is at noon." }, finish_reason: null }] } },
    ];
    if (wantsTool) {
      events.push({
        data: {
          ...base,
          choices: [{
            index: 0,
            delta: {
              tool_calls: [{
                index: 0,
                id: "call_s1",
                type: "function",
                function: { name: "tides", arguments: '{"port"' },
              }],
            },
            finish_reason: null,
          }],
        },
      }, {
        data: {
          ...base,
          choices: [{
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: ':"Lisbon"}' } }] },
            finish_reason: null,
          }],
        },
      });
    }
    events.push({
      data: { ...base, choices: [{ index: 0, delta: {}, finish_reason: wantsTool ? "tool_calls" : "stop" }] },
    });
    const options = body.stream_options as { include_usage?: boolean } | undefined;
    if (options?.include_usage === true) events.push({ data: { ...base, choices: [], usage } });
    events.push({ data: "[DONE]" });
    sse(res, { "x-request-id": requestId }, events);
    return;
  }
  const message: Record<string, unknown> = { role: "assistant", content: wantsTool ? null : "High tide is at noon." };
  if (wantsTool) {
    message.tool_calls = [{
      id: "call_1",
      type: "function",
      function: { name: "tides", arguments: '{"port":"Lisbon"}' },
    }];
  }
  json(res, 200, { "x-request-id": requestId }, {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [{ index: 0, message, finish_reason: wantsTool ? "tool_calls" : "stop", logprobs: null }],
    usage,
    system_fingerprint: "fp_1",
  });
}

function responseObject(body: Record<string, unknown>): unknown {
  return {
    id: "resp_1",
    object: "response",
    created_at: CREATED,
    status: "completed",
    model: `${String(body.model)}-2026-01-01`,
    output: [
      { type: "reasoning", id: "rs_1", summary: [] },
      {
        type: "message",
        id: "msg_1",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Low tide is at six.", annotations: [] }],
      },
      { type: "function_call", id: "fc_1", call_id: "call_r1", name: "tides", arguments: '{"port":"Porto"}' },
    ],
    usage: {
      input_tokens: 80,
      input_tokens_details: { cached_tokens: 64 },
      output_tokens: 20,
      output_tokens_details: { reasoning_tokens: 8 },
      total_tokens: 100,
    },
    incomplete_details: null,
    error: null,
  };
}

function embeddings(res: ServerResponse, requestId: string, body: Record<string, unknown>): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  const base64 = body.encoding_format === "base64";
  json(res, 200, { "x-request-id": requestId }, {
    object: "list",
    model: `${String(body.model)}-v1`,
    data: inputs.map((_input, index) => {
      const vector = [0.25, -0.5, index];
      return {
        object: "embedding",
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector,
      };
    }),
    usage: { prompt_tokens: 7 * inputs.length, total_tokens: 7 * inputs.length },
  });
}

function messages(res: ServerResponse, requestId: string, body: Record<string, unknown>): void {
  const model = `${String(body.model)}-20260101`;
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0;
  const usage = { input_tokens: 40, output_tokens: 25, cache_read_input_tokens: 300, cache_creation_input_tokens: 50 };
  if (body.stream === true) {
    const events: { event: string; data: unknown }[] = [
      {
        event: "message_start",
        data: {
          type: "message_start",
          message: {
            id: "msg_stream_1",
            type: "message",
            role: "assistant",
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { ...usage, output_tokens: 1 },
          },
        },
      },
      {
        event: "content_block_start",
        data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      },
      {
        event: "content_block_delta",
        data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "The tide " } },
      },
      {
        event: "content_block_delta",
        data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "turns at noon." } },
      },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
    ];
    if (wantsTool) {
      events.push(
        {
          event: "content_block_start",
          data: {
            type: "content_block_start",
            index: 1,
            content_block: { type: "tool_use", id: "toolu_s1", name: "tides", input: {} },
          },
        },
        {
          event: "content_block_delta",
          data: {
            type: "content_block_delta",
            index: 1,
            delta: { type: "input_json_delta", partial_json: '{"port":' },
          },
        },
        {
          event: "content_block_delta",
          data: { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Faro"}' } },
        },
        { event: "content_block_stop", data: { type: "content_block_stop", index: 1 } },
      );
    }
    events.push(
      {
        event: "message_delta",
        data: {
          type: "message_delta",
          delta: { stop_reason: wantsTool ? "tool_use" : "end_turn", stop_sequence: null },
          usage: { output_tokens: 25 },
        },
      },
      { event: "message_stop", data: { type: "message_stop" } },
    );
    sse(res, { "request-id": requestId }, events);
    return;
  }
  const content: unknown[] = [{ type: "text", text: "The tide turns at noon." }];
  if (wantsTool) content.push({ type: "tool_use", id: "toolu_1", name: "tides", input: { port: "Faro" } });
  json(res, 200, { "request-id": requestId }, {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: wantsTool ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage,
  });
}

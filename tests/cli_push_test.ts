import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { toOtlp } from "../src/otlp/to_otlp.ts";
import { readSession } from "../src/read/session_reader.ts";
import { memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { expectedFromJson, type PhoenixReceiver, startPhoenix } from "./_otlp_proto.ts";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const FIXTURE = `${ROOT}/tests/testdata/otlp_agent_20260301_120000_ab12.jsonl`;
const FILE_NAME = "otlp agent_20260301_120000_ab12.jsonl";

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo({ env });
  const code = await main(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** A trace directory with the fixture session, and a Phoenix-like receiver; both removed after `fn`. */
async function withPhoenix(fn: (dir: string, phoenix: PhoenixReceiver) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "ai-trace-phoenix-"));
  copyFileSync(FIXTURE, join(dir, FILE_NAME));
  const phoenix = await startPhoenix();
  try {
    await fn(dir, phoenix);
  } finally {
    await phoenix.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function expected(dir: string): Promise<unknown> {
  return expectedFromJson(toOtlp(await readSession(join(dir, FILE_NAME), { now: 0 })));
}

describe("ai-trace push to a protobuf-only receiver (like Arize Phoenix)", () => {
  test("main() push latest --endpoint URL/v1/traces works with no other flag", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest", "--endpoint", `${phoenix.origin}/v1/traces`]);
      assert.equal(run.err, "");
      assert.equal(run.code, 0);
      assert.equal(run.out, `Pushed 1 session (7 spans) to ${phoenix.origin}/v1/traces in 1 request\n`);
      assert.equal(phoenix.requests.length, 1);
      assert.equal(phoenix.requests[0].status, 200);
      assert.deepEqual(phoenix.requests[0].decoded, await expected(dir));
    });
  });

  test("main() push latest needs no --endpoint when OTEL_EXPORTER_OTLP_ENDPOINT is set", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest"], { OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.origin });
      assert.equal(run.code, 0, run.err);
      assert.equal(phoenix.requests[0].path, "/v1/traces", "/v1/traces is added to the base URL");
      assert.deepEqual(phoenix.requests[0].decoded, await expected(dir));
    });
  });

  test("main() push --protocol http/json gets the 415 and says what to do", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest", "-e", phoenix.origin, "--protocol", "http/json"]);
      assert.equal(run.code, 1);
      assert.equal(run.out, "");
      assert.equal(
        run.err,
        `error: Cannot push to "${phoenix.origin}/v1/traces": HTTP 415 (the server does not take OTLP JSON: ` +
          "leave out --protocol http/json, protobuf is the default)\n",
      );
      assert.equal(phoenix.requests.length, 1, "a 415 is not retried");
      assert.equal(phoenix.requests[0].headers["content-type"], "application/json");
    });
  });

  test("main() push --compression gzip: the receiver inflates and decodes", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest", "-e", phoenix.origin, "--compression", "gzip"]);
      assert.equal(run.code, 0, run.err);
      const [request] = phoenix.requests;
      assert.equal(request.headers["content-encoding"], "gzip");
      assert.deepEqual([...request.raw.subarray(0, 2)], [0x1f, 0x8b], "a gzip stream");
      assert.deepEqual(request.decoded, await expected(dir));
    });
  });
});

describe("ai-trace push and the OTEL_EXPORTER_OTLP_* variables", () => {
  test("main() push uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, over OTEL_EXPORTER_OTLP_ENDPOINT", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:1",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${phoenix.origin}/custom/path`,
      });
      assert.equal(run.code, 1, "the exact URL is not a Phoenix path: 404");
      assert.equal(phoenix.requests[0].path, "/custom/path", "nothing added");
    });
  });

  test("main() push sends OTEL_EXPORTER_OTLP_HEADERS URL-decoded, and a --header of the same name wins", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const run = await cli(["--dir", dir, "push", "latest", "-H", "X-Team: flag"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.origin,
        OTEL_EXPORTER_OTLP_HEADERS: "api_key=a%20b%2Cc,x-team=variable , x-other = kept",
      });
      assert.equal(run.code, 0, run.err);
      const { headers } = phoenix.requests[0];
      assert.equal(headers["api_key"], "a b,c");
      assert.equal(headers["x-team"], "flag");
      assert.equal(headers["x-other"], "kept");
      assert.doesNotMatch(run.out + run.err, /a b,c|a%20b/, "header values are never printed");
    });
  });

  test("main() push honours OTEL_EXPORTER_OTLP_PROTOCOL and _COMPRESSION, and flags win over them", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const env = {
        OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.origin,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "gzip",
      };
      const refused = await cli(["--dir", dir, "push", "latest"], env);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /HTTP 415 \(the server does not take OTLP JSON: unset OTEL_EXPORTER_OTLP_PROTOCOL,/);
      assert.equal(phoenix.requests[0].headers["content-type"], "application/json");
      assert.equal(phoenix.requests[0].headers["content-encoding"], "gzip");
      const run = await cli(
        ["--dir", dir, "push", "latest", "--protocol", "http/protobuf", "--compression", "none"],
        env,
      );
      assert.equal(run.code, 0, run.err);
      assert.equal(phoenix.requests[1].headers["content-encoding"], undefined);
      assert.deepEqual(phoenix.requests[1].decoded, await expected(dir));
    });
  });

  test("main() push rejects a bad flag or variable with exit 2, naming it, and sends nothing", async () => {
    await withPhoenix(async (dir, phoenix) => {
      const base = { OTEL_EXPORTER_OTLP_ENDPOINT: phoenix.origin };
      const cases: [string[], Record<string, string>, RegExp][] = [
        [[], {}, /Missing --endpoint URL .*or set OTEL_EXPORTER_OTLP_ENDPOINT/],
        [[], { ...base, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, /Variable OTEL_EXPORTER_OTLP_PROTOCOL .*gRPC/],
        [["--protocol", "json"], base, /Option "--protocol" must be http\/protobuf or http\/json/],
        [["--compression", "br"], base, /Option "--compression" must be gzip or none/],
        [[], { ...base, OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" }, /Variable OTEL_EXPORTER_OTLP_COMPRESSION/],
        [[], { ...base, OTEL_EXPORTER_OTLP_HEADERS: "novalue" }, /Variable OTEL_EXPORTER_OTLP_HEADERS/],
        [[], { ...base, OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }, /Variable OTEL_EXPORTER_OTLP_TIMEOUT/],
        [
          [],
          { OTEL_EXPORTER_OTLP_ENDPOINT: "localhost:4318" },
          /Cannot push to "localhost:4318": .* \(from OTEL_EXPORTER_OTLP_ENDPOINT\)/,
        ],
      ];
      for (const [args, env, message] of cases) {
        const run = await cli(["--dir", dir, "push", "latest", ...args], env);
        assert.equal(run.code, 2, `${args.join(" ")} ${JSON.stringify(env)}: ${run.err}`);
        assert.match(run.err, message);
      }
      assert.equal(phoenix.requests.length, 0);
    });
  });
});

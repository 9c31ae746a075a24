import { test } from "node:test";
import assert from "node:assert/strict";
import { createRedactor } from "../src/record/redact.ts";

test("createRedactor() flags sensitive key names but not token counts", () => {
  const r = createRedactor();
  for (
    const key of [
      "password",
      "apiKey",
      "api_key",
      "API-KEY",
      "Authorization",
      "cookie",
      "client_secret",
      "access_token",
      "refreshToken",
      "x-api-key",
      "privateKey",
      "session_id",
    ]
  ) {
    assert.equal(r.isSensitiveKey(key), true, key);
  }
  for (
    const key of [
      "tokens",
      "input_tokens",
      "output_tokens",
      "max_tokens",
      "token_count",
      "symbol",
      "author",
      "keyboard",
    ]
  ) {
    assert.equal(r.isSensitiveKey(key), false, key);
  }
});

test("createRedactor() cuts secrets out of strings by shape", () => {
  const r = createRedactor();
  // Each text, and the part of it that must not survive.
  const cases: [string, string][] = [
    ["sk-proj-abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwx"],
    ["sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz"],
    ["AKIAABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP"],
    ["ghp_" + "a".repeat(36), "a".repeat(36)],
    ["xoxb-1234567890-abcdef", "1234567890-abcdef"],
    ["AIza" + "b".repeat(35), "b".repeat(35)],
    ["eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk", "eyJzdWIiOiIxMjM0In0"],
    ["Bearer abcdefghijklmnop.qrstuvwxyz", "abcdefghijklmnop"],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "MIIE"],
    ["https://user:hunter2@example.com/path", "hunter2"],
  ];
  for (const [text, secret] of cases) {
    const out = r.redactString(`before ${text} after`);
    assert.ok(out.includes("[REDACTED]"), `${text} -> ${out}`);
    assert.ok(!out.includes(secret), `${text}: "${secret}" survived in ${out}`);
    assert.ok(out.startsWith("before ") && out.endsWith(" after"), out);
  }
  assert.equal(r.redactString("a token limit of 4096 tokens"), "a token limit of 4096 tokens");
});

test("createRedactor() takes extra keys and patterns, or can be turned off", () => {
  const r = createRedactor({ keys: ["account number", /^internal_/], patterns: [/ORD-\d+/] });
  assert.equal(r.isSensitiveKey("account_number"), true);
  assert.equal(r.isSensitiveKey("internal_note"), true);
  assert.equal(r.redactString("order ORD-123 placed"), "order [REDACTED] placed");
  const off = createRedactor({ enabled: false });
  assert.equal(off.isSensitiveKey("password"), false);
  assert.equal(off.redactString("sk-proj-abcdefghijklmnopqrstuvwx"), "sk-proj-abcdefghijklmnopqrstuvwx");
});

test("createRedactor() finds every built-in shape behind its quick pre-check", () => {
  const r = createRedactor();
  const cases: [string, string][] = [
    ["sk_live_" + "a".repeat(16), "a".repeat(16)],
    ["rk_test_" + "b".repeat(16), "b".repeat(16)],
    ["github_pat_" + "c".repeat(22), "c".repeat(22)],
    ["glpat-" + "d".repeat(20), "d".repeat(20)],
    ["hf_" + "e".repeat(30), "e".repeat(30)],
    ["npm_" + "f".repeat(36), "f".repeat(36)],
    ["BEARER abcdefghijklmnop", "abcdefghijklmnop"],
    ["bearer abcdefghijklmnop", "abcdefghijklmnop"],
    ["Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA"],
    ["postgres://admin:s3cret@db:5432/x", "s3cret"],
  ];
  for (const [text, secret] of cases) {
    const out = r.redactString(`before ${text} after`);
    assert.ok(out.includes("[REDACTED]"), `${text} -> ${out}`);
    assert.ok(!out.includes(secret), `${text}: "${secret}" survived in ${out}`);
  }
  const custom = createRedactor({ patterns: [/^ref \d+$/m, /caf\u00e9-\d+/u] });
  assert.equal(custom.redactString("line one\nref 12345\nline three"), "line one\n[REDACTED]\nline three");
  assert.equal(custom.redactString("order café-42 ready"), "order [REDACTED] ready");
});

test("createRedactor() leaves prose and ordinary keys alone while catching the shapes of issue 12", () => {
  const r = createRedactor();
  for (
    const text of [
      "basic internationalization",
      "a token limit of 4096 tokens",
      "see http://example.com and mail bob@x.com",
      "time 12:30 ok",
      "passport=123",
    ]
  ) {
    assert.equal(r.redactString(text), text);
  }
  for (const key of ["monkey", "primary_key", "bypass", "compass", "keyboard", "author", "tokens"]) {
    assert.equal(r.isSensitiveKey(key), false, key);
  }
  for (const key of ["openai_key", "db_pass", "auth_header", "jwt", "private_key_pem", "priv_key", "STRIPE_KEY"]) {
    assert.equal(r.isSensitiveKey(key), true, key);
  }
  assert.equal(r.redactString("https://user:p@ss@host.com/x"), "https://[REDACTED]@host.com/x");
  assert.equal(
    r.redactString("Server=db;User Id=sa;Password=Hunter2Pass;Database=x"),
    "Server=db;User Id=sa;Password=[REDACTED];Database=x",
  );
  assert.equal(r.redactString('{"password": "a b c", "x": 1}'), '{"password": "[REDACTED]", "x": 1}');
  assert.equal(r.redactString("Authorization: Token abc123def456ghi"), "Authorization: Token [REDACTED]");
});

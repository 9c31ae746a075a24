// Secrets and injection: a run full of API keys, tokens and passwords leaves
// none of them in any file written (JSONL, JSON, Markdown, HTML, every CLI
// export); hostile names cannot write outside the trace directory; values
// cannot break the Markdown report; files are 0600 and the directory 0700.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { readSession, Tracer } from "../../mod.ts";
import { renderMarkdown } from "../../src/render/markdown.ts";
import { removeDir, tempDir } from "../_helpers.ts";
import { cli, figure } from "./_torture.ts";

const x = (n: number, alphabet = "aB3dE5gH7jK9mN1pQ2sT4vW6yZ8") =>
  Array.from({ length: n }, (_, i) => alphabet[(i * 7 + n) % alphabet.length]).join("");

/** Secrets recognised by their shape, wherever they appear. */
const SHAPED = [
  `sk-proj-${x(48)}`,
  `sk-ant-api03-${x(40)}`,
  `sk_live_${x(24)}`,
  `AKIA${x(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}`,
  `ghp_${x(36)}`,
  `github_pat_${x(30)}`,
  `glpat-${x(20)}`,
  `xoxb-1234567890-${x(24)}`,
  `AIza${x(35)}`,
  `hf_${x(34)}`,
  `npm_${x(36)}`,
  `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${x(43)}`,
];
/** Secrets recognised by the key they are under. */
const KEYED = {
  password: `pw-${x(20)}`,
  db_password: `dbpw-${x(20)}`,
  client_secret: `cs-${x(20)}`,
  access_token: `at-${x(20)}`,
  refreshToken: `rt-${x(20)}`,
  "x-api-key": `xk-${x(20)}`,
  Authorization: `Basic ${x(24)}`,
  cookie: `session=${x(24)}`,
  privateKey: `pk-${x(20)}`,
};
const BEARER = `Bearer ${x(40)}`;
const URL_PASSWORD = `url-pw-${x(16)}`;
const PEM = `-----BEGIN RSA PRIVATE KEY-----\nMIIE${x(64)}\n-----END RSA PRIVATE KEY-----`;

/** Every string that must not reach a file, with a distinctive part to look for. */
const NEEDLES: string[] = [
  ...SHAPED,
  ...Object.values(KEYED),
  BEARER.slice(7),
  URL_PASSWORD,
  `MIIE${x(64)}`,
];

function fragments(secret: string): string[] {
  // The secret whole, and its distinctive tail (a partial redaction must not leave it).
  return [secret, secret.slice(-16)];
}

test("Tracer leaves no API key, token or password in any file it or the CLI writes", async () => {
  const dir = tempDir("ai-trace-secrets-");
  const traceDir = join(dir, "traces");
  try {
    const shaped = SHAPED.join(" and ");
    const tracer = new Tracer("secret_agent", {
      traceDir,
      meta: { model: "m", apiKey: SHAPED[0], note: `deploy with ${SHAPED[1]}`, ...KEYED },
    });
    tracer.step("call_llm", {
      prompt: `use ${shaped}`,
      headers: { ...KEYED, other: BEARER },
      dsn: `postgres://admin:${URL_PASSWORD}@db:5432/x`,
    }, (step) => {
      step.log({ request: { Authorization: BEARER, body: shaped }, pem: PEM });
      step.log({
        tokens: new Map([[SHAPED[2], "by key"], ["k", SHAPED[3]]]),
        list: [SHAPED[4], { password: KEYED.password }],
      });
      step.decide(`send ${SHAPED[5]}`, {
        reason: `because ${BEARER}`,
        alternatives: [SHAPED[6], { secret: KEYED.client_secret }],
      });
      step.usage({ model: `gpt ${SHAPED[7]}` });
      // A secret straddling the truncation limit is still found whole.
      step.log({ long: "x".repeat(9_990) + SHAPED[8] });
    });
    try {
      tracer.step(`tool ${SHAPED[9]}`, { args: [SHAPED[10]] }, () => {
        const error = new Error(`401 for key ${SHAPED[0]} with ${BEARER}`);
        (error as Error & { cause?: unknown }).cause = {
          token: KEYED.access_token,
          url: `https://u:${URL_PASSWORD}@h/`,
        };
        throw error;
      });
    } catch {
      // The step recorded it.
    }
    const manual = tracer.step("manual");
    manual.fail(`failed with ${SHAPED[11]}`);
    // A wrapped tool: its arguments and result are recorded, so only shaped secrets are found there
    // (a bare password passed positionally is not: see RELIABILITY.md).
    tracer.step(
      "wrapped_tool",
      () => tracer.wrap("login", (user: string, key: string) => `${user}:${key}`)("u", SHAPED[2]),
    );
    const written = [tracer.path!, await tracer.save(), await tracer.saveMarkdown(), await tracer.saveHtml()];
    await tracer.close();
    for (const path of written) assert.ok(path, "every report was written");
    // Every CLI export of the session, to files in the trace directory.
    for (const format of ["json", "md", "html", "otlp"]) {
      const out = join(traceDir, `export.${format}`);
      const run = await cli(["--dir", traceDir, "export", tracer.path!, "--format", format, "-o", out]);
      assert.equal(run.code, 0, run.err);
    }
    for (
      const command of [["view", "latest", "--full"], ["view", "latest", "--json"], ["list", "--json"], [
        "stats",
        "--json",
      ]]
    ) {
      const run = await cli(["--dir", traceDir, ...command]);
      assert.equal(run.code, 0, run.err);
      for (const secret of NEEDLES) {
        for (const part of fragments(secret)) {
          const at = run.out.indexOf(part);
          assert.ok(at < 0, `${command.join(" ")} shows ${part} in …${run.out.slice(Math.max(0, at - 200), at + 60)}`);
        }
      }
    }
    const files = readdirSync(traceDir);
    let checked = 0;
    for (const name of files) {
      const text = readFileSync(join(traceDir, name), "utf8");
      for (const secret of NEEDLES) {
        for (const part of fragments(secret)) assert.ok(!text.includes(part), `${name} holds ${part}`);
      }
      checked++;
    }
    assert.ok(checked >= 8, files.join(", "));
    const session = await readSession(tracer.path!);
    assert.ok(JSON.stringify(session).includes("[REDACTED]"));
    figure(
      "secrets",
      `${NEEDLES.length} secrets × ${checked} files (jsonl, json, md, html, 4 CLI exports) + 4 CLI outputs: 0 leaked`,
    );
  } finally {
    removeDir(dir);
  }
});

/**
 * The shapes an attack on main found unredacted (issue 12, finding 12), each
 * with where it goes in the run and the part that must not come out.
 */
const GAPS: { shape: string; needle: string }[] = [
  { shape: "PGP private key block", needle: `lQOYBF${x(40)}` },
  { shape: "basic (lower case)", needle: x(21) },
  { shape: "BASIC (upper case)", needle: x(22) },
  { shape: "Bearer%20", needle: x(33) },
  { shape: "Authorization: Token", needle: x(25) },
  { shape: "?api_key= in a URL", needle: x(26) },
  { shape: "&client_secret= in a URL", needle: x(44) },
  { shape: "Password=…; in a connection string", needle: x(27) },
  { shape: "Sentry-style https://KEY@host", needle: x(32, "0123456789abcdef") },
  { shape: "https://user:p@ss@host", needle: `ss${x(28)}` },
  { shape: 'header pair [["Authorization", …]]', needle: x(29) },
  { shape: '{ name: "Authorization", value: … }', needle: x(30) },
  { shape: "key openai_key", needle: x(31) },
  { shape: "key db_pass", needle: x(34) },
  { shape: "key auth_header", needle: x(35) },
  { shape: "key jwt", needle: x(36) },
  { shape: "key private_key_pem", needle: x(38) },
  { shape: "password=… in an error message and its stack", needle: x(37) },
  { shape: "an API key as the agent name", needle: x(41) },
];

async function receiver(): Promise<{ url: string; bodies: string[]; close(): Promise<void> }> {
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => body += chunk);
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("Tracer redacts every shape of issue 12 in every output: file, file name, Markdown, HTML, view --json, OTLP, push", async () => {
  const dir = tempDir("ai-trace-gaps-");
  const traceDir = join(dir, "traces");
  const server = await receiver();
  try {
    const need = (shape: string) => GAPS.find((gap) => gap.shape === shape)!.needle;
    const tracer = new Tracer(`agent sk-ant-api03-${need("an API key as the agent name")}`, {
      traceDir,
      meta: { openai_key: need("key openai_key"), db_pass: need("key db_pass") },
    });
    tracer.step("call", {
      auth_header: need("key auth_header"),
      jwt: need("key jwt"),
      private_key_pem: need("key private_key_pem"),
      headers: [["Authorization", `tok ${need('header pair [["Authorization", …]]')}`]],
      header: { name: "Authorization", value: `tok ${need('{ name: "Authorization", value: … }')}` },
    }, (step) => {
      step.log({
        pgp: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${need("PGP private key block")}\n=abcd\n` +
          "-----END PGP PRIVATE KEY BLOCK-----",
        lower: `basic ${need("basic (lower case)")}`,
        upper: `BASIC ${need("BASIC (upper case)")}`,
      });
      step.log({
        request: `GET /x?auth=Bearer%20${need("Bearer%20")} with Authorization: Token ${need("Authorization: Token")}`,
      });
      step.decide(`fetch https://api.example.com/v1?api_key=${need("?api_key= in a URL")}&q=1`, {
        reason: `https://h/?x=1&client_secret=${need("&client_secret= in a URL")}`,
      });
      step.log({
        dsn: `Server=db;User Id=sa;Password=${need("Password=…; in a connection string")};Database=x`,
        sentry: `https://${need("Sentry-style https://KEY@host")}@o1.ingest.sentry.io/42`,
        url: `postgres://user:p@${need("https://user:p@ss@host")}@db.example.com/x`,
      });
    });
    try {
      tracer.step("login", () => {
        throw new Error(`connect failed password=${need("password=… in an error message and its stack")} host=db`);
      });
    } catch {
      // recorded
    }
    const written = [tracer.path!, await tracer.saveMarkdown(), await tracer.saveHtml()];
    await tracer.close();
    for (const path of written) assert.ok(path, "every report was written");
    const outputs: [string, string][] = written.map((path) => [
      `the .${path!.slice(path!.lastIndexOf(".") + 1)} file`,
      readFileSync(path!, "utf8"),
    ]);
    outputs.push(["file names", readdirSync(traceDir).join("\n")]);
    for (const format of ["md", "html", "otlp"]) {
      const run = await cli(["--dir", traceDir, "export", "latest", "--format", format]);
      assert.equal(run.code, 0, run.err);
      outputs.push([`export --format ${format}`, run.out]);
    }
    for (const command of [["view", "latest", "--json"], ["view", "latest", "--full"], ["list", "--json"]]) {
      const run = await cli(["--dir", traceDir, ...command]);
      assert.equal(run.code, 0, run.err);
      outputs.push([command.join(" "), run.out]);
    }
    for (const protocol of ["http/protobuf", "http/json"]) {
      const pushed = await cli(["--dir", traceDir, "push", "latest", "--endpoint", server.url, "--protocol", protocol]);
      assert.equal(pushed.code, 0, pushed.err);
      const body = server.bodies.at(-1) ?? "";
      assert.ok(body.includes("[REDACTED]"), `the ${protocol} push body reached the 127.0.0.1 server`);
      outputs.push([`push body (${protocol})`, body]);
    }
    assert.equal(server.bodies.length, 2);
    // The run did record the steps: the test would pass vacuously otherwise.
    assert.ok(outputs[0][1].includes("Server=db;User Id=sa;Password=[REDACTED];Database=x"), outputs[0][1]);
    for (const [where, text] of outputs) {
      for (const { shape, needle } of GAPS) {
        for (const part of fragments(needle)) {
          const at = text.indexOf(part);
          assert.ok(at < 0, `${where} shows ${shape} (${part}): …${text.slice(Math.max(0, at - 120), at + 40)}`);
        }
      }
    }
    figure(
      "secrets-gaps",
      `${GAPS.length} shapes × ${outputs.length} outputs (${outputs.map(([w]) => w).join(", ")}): 0 leaked`,
    );
  } finally {
    await server.close();
    removeDir(dir);
  }
});

test("Tracer keeps hostile agent and step names inside the trace directory, in every file it writes", async () => {
  const dir = tempDir("ai-trace-names-");
  const traceDir = join(dir, "a", "traces");
  const names = [
    "../escape",
    "../../../../tmp/evil",
    "/etc/passwd",
    "a/../../b",
    "nul\u0000byte",
    "ctrl\u001b[31m\r\n",
    "..",
    ".",
    "",
    "\\..\\win",
    "x".repeat(5000),
    "\ud800lone",
  ];
  try {
    let files = 0;
    for (const name of names) {
      const tracer = new Tracer(name, { traceDir });
      tracer.step(name, { name }, (step) => step.log({ [name]: name }));
      const paths = [tracer.path!, await tracer.save(), await tracer.saveMarkdown(), await tracer.saveHtml()];
      await tracer.close();
      for (const path of paths) {
        assert.ok(path!.startsWith(traceDir + "/"), path);
        assert.ok(!path!.slice(traceDir.length + 1).includes("/"), path);
        files++;
      }
    }
    // Nothing was created anywhere else.
    assert.deepEqual(readdirSync(dir), ["a"]);
    assert.deepEqual(readdirSync(join(dir, "a")), ["traces"]);
    assert.equal(readdirSync(traceDir).length, files);
    figure(
      "names",
      `${names.length} hostile agent/step names × 4 files: ${files} files, all inside the trace directory`,
    );
  } finally {
    removeDir(dir);
  }
});

test("renderMarkdown() keeps its structure whatever the values hold: backticks, pipes, newlines, headings, HTML", async () => {
  const dir = tempDir("ai-trace-md-");
  const hostile = [
    "`code` ``two`` ```three```",
    "| a | b |\n|---|---|\n| c | d |",
    "line one\n# Heading injected\n## another\n---",
    "```\n# inside a fence\n```",
    "<script>alert(1)</script><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1)) ![img](http://x/y.png)",
    "*bold* _it_ ~~strike~~ \\ backslash",
    "\r\n\u2028\u2029\u0000\u001b[2J",
    "    indented code",
    "> quote\n- list\n1. numbered",
    " ` ",
    "",
  ];
  try {
    const render = async (values: string[]) => {
      const tracer = new Tracer(values[0] || "agent", {
        traceDir: dir,
        meta: Object.fromEntries(values.map((v, i) => [`m${i}${v}`, v])),
      });
      for (const value of values) {
        try {
          tracer.step(value || "s", Object.fromEntries(values.map((v, i) => [`k${i}${v}`, v])), (step) => {
            step.log({ [value]: value, v: value });
            step.decide(value || "a", { reason: value, alternatives: [value] });
            step.usage({ model: value });
            const error = new Error(value);
            error.name = value || "E";
            error.stack = `${value}\n    at hostile (${value})`;
            throw error;
          });
        } catch {
          // recorded
        }
      }
      const inFlight = tracer.step(values.at(-2) || "x", { v: values.at(-2) });
      inFlight.start();
      await tracer.close();
      const session = await readSession(tracer.path!);
      return renderMarkdown(session, 0);
    };
    const benign = await render(hostile.map((_, i) => `value${i}`));
    const evil = await render(hostile);
    // The same block structure: headings, list items, fences and paragraphs line up one for one.
    const shape = (md: string) => {
      const out: string[] = [];
      let fence: string | undefined;
      for (const line of md.split("\n")) {
        if (fence !== undefined) {
          if (line === fence) {
            out.push("fence-end");
            fence = undefined;
          }
          continue; // fence content is literal
        }
        const open = /^(`{3,})$/.exec(line);
        if (open) {
          fence = open[1];
          out.push("fence");
        } else if (/^#{1,6} /.test(line)) out.push(`h${line.indexOf(" ")}`);
        else if (line.startsWith("|")) out.push(`row${line.split("|").length}`);
        else if (line.startsWith("- ")) out.push("li");
        else if (line === "") out.push("blank");
        else out.push(`p:${line.slice(0, 2)}`);
      }
      assert.equal(fence, undefined, "every fence is closed");
      return out;
    };
    assert.deepEqual(shape(evil), shape(benign));
    // No value starts a line of its own outside a fence, and HTML never appears unescaped.
    let fence: string | undefined;
    for (const line of evil.split("\n")) {
      if (fence !== undefined) {
        if (line === fence) fence = undefined;
        continue;
      }
      if (/^`{3,}$/.test(line)) {
        fence = line;
        continue;
      }
      assert.ok(!/^#+ (Heading injected|inside a fence|another)/.test(line), `a value made a heading: ${line}`);
      // Outside code spans, "<" only appears escaped ("\\<").
      assert.ok(!/(^|[^\\])<(script|img )/.test(line.replace(/(`+).*?\1/g, "")), `raw HTML outside code: ${line}`);
    }
    figure("markdown", `${hostile.length} hostile values in every field: document structure identical to a benign run`);
  } finally {
    removeDir(dir);
  }
});

test("Tracer writes every file 0600 in a 0700 directory", async () => {
  const dir = tempDir("ai-trace-perm-");
  const traceDir = join(dir, "new", "traces");
  try {
    const tracer = new Tracer("perm", { traceDir });
    tracer.step("s", () => {});
    await tracer.save();
    await tracer.saveMarkdown();
    await tracer.saveHtml();
    await tracer.close();
    for (const format of ["json", "md", "html", "otlp"]) {
      const run = await cli([
        "--dir",
        traceDir,
        "export",
        "latest",
        "--format",
        format,
        "-o",
        join(traceDir, `x.${format}`),
      ]);
      assert.equal(run.code, 0, run.err);
    }
    assert.equal(statSync(traceDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "new")).mode & 0o777, 0o700);
    const files = readdirSync(traceDir);
    for (const name of files) assert.equal(statSync(join(traceDir, name)).mode & 0o777, 0o600, name);
    figure("permissions", `${files.length} files 0600, 2 directories 0700`);
  } finally {
    removeDir(dir);
  }
});

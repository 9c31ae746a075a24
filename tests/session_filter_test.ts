import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { cli, NOW, until } from "./_cli.ts";
import { memoryIo } from "../src/cli/io.ts";
import { main } from "../src/cli/main.ts";
import { removeDir, tempDir } from "./_helpers.ts";
import { writeStandardSessions } from "./_session_fixtures.ts";
import { globMatch, parseDateTime, parseDuration, parseTimeBound } from "../src/read/session_filter.ts";

let dir = "";
before(async () => {
  dir = tempDir();
  await writeStandardSessions(dir);
});
after(() => removeDir(dir));

/** The `list --json` sessions for these flags, as "agent/suffix". */
async function listed(...flags: string[]): Promise<string[]> {
  const { code, out, err } = await cli(["--dir", dir, "list", "--json", ...flags]);
  assert.equal(code, 0, err);
  const report = JSON.parse(out) as { sessions: { agent: string; session_id: string }[] };
  return report.sessions.map((s) => `${s.agent}/${s.session_id.split("_").pop()}`);
}

describe("list filters", () => {
  test("list without filters shows every session, newest first, and an empty filter", async () => {
    assert.deepEqual(await listed(), [
      "trading_agent/trun",
      "research_agent/r1h",
      "research_beta/b2h",
      "research_agent/r3h",
      "research_agent/r3d",
      "trading_agent/t40d",
    ]);
    const { out } = await cli(["--dir", dir, "list", "--json"]);
    assert.deepEqual(JSON.parse(out).filter, {});
  });

  test("list --agent keeps an exact agent, and leaves out the others", async () => {
    assert.deepEqual(await listed("--agent", "research_agent"), [
      "research_agent/r1h",
      "research_agent/r3h",
      "research_agent/r3d",
    ]);
    assert.deepEqual(await listed("--agent", "nobody"), []);
  });

  test("list --agent takes a glob and is repeatable", async () => {
    assert.deepEqual(await listed("--agent", "research_*"), [
      "research_agent/r1h",
      "research_beta/b2h",
      "research_agent/r3h",
      "research_agent/r3d",
    ]);
    assert.deepEqual(await listed("--agent", "research_bet?", "--agent", "trading_agent"), [
      "trading_agent/trun",
      "research_beta/b2h",
      "trading_agent/t40d",
    ]);
  });

  test("list --state keeps each state, and the others not", async () => {
    assert.deepEqual(await listed("--state", "running"), ["trading_agent/trun"]);
    assert.deepEqual(await listed("--state", "crashed"), ["research_agent/r3h", "research_agent/r3d"]);
    assert.deepEqual(await listed("--state", "complete"), [
      "research_agent/r1h",
      "research_beta/b2h",
      "trading_agent/t40d",
    ]);
    assert.deepEqual(await listed("--state", "crashed", "--state", "running"), [
      "trading_agent/trun",
      "research_agent/r3h",
      "research_agent/r3d",
    ]);
  });

  test("list --since and --until take durations and ISO 8601 times", async () => {
    assert.deepEqual(await listed("--since", "150m"), [
      "trading_agent/trun",
      "research_agent/r1h",
      "research_beta/b2h",
    ]);
    // research_beta/b2h started 0.25 s after "2 h ago": not before it.
    assert.deepEqual(await listed("--until", "2h"), [
      "research_agent/r3h",
      "research_agent/r3d",
      "trading_agent/t40d",
    ]);
    // 2026-11-25T21:00Z is 3 h before NOW; +01:00 moves it one hour earlier.
    assert.deepEqual(await listed("--since", "2026-11-25T21:00"), [
      "trading_agent/trun",
      "research_agent/r1h",
      "research_beta/b2h",
      "research_agent/r3h",
    ]);
    assert.deepEqual(await listed("--since", "2026-11-25T21:00:01+01:00", "--until", "2026-11-25T23:00Z"), [
      "research_beta/b2h",
      "research_agent/r3h",
    ]);
    assert.deepEqual(await listed("--since", "2026-11-20", "--until", "2026-11-25"), ["research_agent/r3d"]);
  });

  test("list --errors keeps sessions with a failed step", async () => {
    assert.deepEqual(await listed("--errors"), ["research_beta/b2h", "research_agent/r3h"]);
  });

  test("list combines the filters, and --json says which were applied", async () => {
    assert.deepEqual(await listed("--agent", "research_agent", "--state", "crashed", "--since", "24h"), [
      "research_agent/r3h",
    ]);
    assert.deepEqual(await listed("--agent", "research_*", "--errors", "--state", "complete"), [
      "research_beta/b2h",
    ]);
    const { out } = await cli([
      "--dir",
      dir,
      "list",
      "--json",
      "--agent",
      "research_agent",
      "--state",
      "crashed",
      "--since",
      "24h",
      "--errors",
    ]);
    assert.deepEqual(JSON.parse(out).filter, {
      agent: ["research_agent"],
      state: ["crashed"],
      since: new Date(NOW - 86_400_000).toISOString(),
      errors: true,
    });
  });

  test("list -n counts the sessions that pass the filters", async () => {
    assert.deepEqual(await listed("--agent", "research_agent", "-n", "2"), [
      "research_agent/r1h",
      "research_agent/r3h",
    ]);
  });

  test("list says when no session matches the filters", async () => {
    const { code, out } = await cli(["--dir", dir, "list", "--agent", "nobody"]);
    assert.equal(code, 0);
    assert.match(out, /No sessions match the filters/);
  });

  test("list shows only the matching rows as text", async () => {
    const { code, out } = await cli(["--dir", dir, "list", "--agent", "research_agent", "--state", "crashed"]);
    assert.equal(code, 0);
    assert.equal(out.trim().split("\n").length, 3, out); // header and two rows
    assert.doesNotMatch(out, /trading_agent|research_beta|complete/);
  });
});

describe("filter flags: bad values", () => {
  for (
    const [flags, pattern] of [
      [["--since", "yesterday-ish"], /"--since" needs a duration such as 90m, 2h, 7d.*ISO 8601.*"yesterday-ish"/],
      [["--until", "2026-13-01"], /"--until" needs a duration.*ISO 8601/],
      [["--state", "sleeping"], /"--state" needs complete, running or crashed, got "sleeping"/],
      [["--agent", ""], /"--agent" needs a name/],
      [["--since", "1h", "--until", "2h"], /"--since" must be before "--until"/],
    ] as const
  ) {
    for (const command of ["list", "stats", "tail"]) {
      test(`${command} ${flags.join(" ")} exits 2 naming the accepted forms`, async () => {
        const { code, out, err } = await cli(
          ["--dir", dir, command, ...flags, "--no-follow"].filter((arg) => command === "tail" || arg !== "--no-follow"),
        );
        assert.equal(code, 2, err);
        assert.equal(out, "");
        assert.match(err, pattern);
        assert.match(err, new RegExp(`ai-trace ${command} --help`));
      });
    }
  }
});

describe("filters and files not opened", () => {
  test("list and stats --agent/--since never open a file whose name rules it out", async () => {
    const sub = tempDir();
    try {
      await writeStandardSessions(sub);
      // Files of other agents, and of research_agent long ago, that fail if they are read at all.
      writeFileSync(join(sub, "other_agent_20261125_230000_x1.jsonl"), "not json at all\n");
      writeFileSync(join(sub, "research_agent_20200101_000000_x2.jsonl"), "not json at all\n");
      const plain = await cli(["--dir", sub, "list", "--json"]);
      assert.match(plain.err, /other_agent_20261125_230000_x1\.jsonl/, "the bad file is seen without a filter");
      for (const command of ["list", "stats"]) {
        const { code, err } = await cli(["--dir", sub, command, "--json", "--agent", "research_*", "--since", "7d"]);
        assert.equal(code, 0);
        assert.equal(err, "", `${command} opened a file its filter rules out`);
      }
    } finally {
      removeDir(sub);
    }
  });
});

describe("stats filters", () => {
  test("stats adds up only the sessions that pass the filters, and says which", async () => {
    const all = JSON.parse((await cli(["--dir", dir, "stats", "--json"])).out);
    assert.equal(all.sessions, 6);
    assert.deepEqual(all.filter, {});
    const { code, out } = await cli(["--dir", dir, "stats", "--json", "--agent", "research_*", "--errors"]);
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.equal(report.sessions, 2);
    assert.equal(report.errors, 3);
    assert.deepEqual(report.filter, { agent: ["research_*"], errors: true });
    const crashed = JSON.parse((await cli(["--dir", dir, "stats", "--json", "--state", "crashed"])).out);
    assert.equal(crashed.sessions, 2);
    const none = JSON.parse((await cli(["--dir", dir, "stats", "--json", "--since", "10s"])).out);
    assert.equal(none.sessions, 0);
  });
});

describe("tail filters", () => {
  test("tail --no-follow shows the newest session that passes the filters", async () => {
    const plain = await cli(["--dir", dir, "tail", "--no-follow", "--json"]);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /trading_agent_\d+_\d+_trun/);
    const { code, out, err } = await cli([
      "--dir",
      dir,
      "tail",
      "--no-follow",
      "--json",
      "--agent",
      "research_*",
      "--state",
      "crashed",
    ]);
    assert.equal(code, 0, err);
    const paths = new Set(out.trim().split("\n").map((line) => JSON.parse(line).path));
    assert.deepEqual([...paths].map((path) => path.split(/[\\/]/).pop()), [
      "research_agent_20261125_210000_r3h.jsonl",
    ]);
    const none = await cli(["--dir", dir, "tail", "--no-follow", "--agent", "nobody"]);
    assert.equal(none.code, 0);
    assert.match(none.err, /No session that matches the filters/);
  });

  test("tail --agent follows only that agent's newer sessions", async () => {
    const sub = tempDir();
    const controller = new AbortController();
    const io = memoryIo({ env: {}, signal: controller.signal });
    const write = (agent: string, id: string, step: string) =>
      writeFileSync(
        join(sub, `${agent}_${id}.jsonl`),
        [
          { type: "session", schema: "ai-trace/1", agent, session_id: id, started_at: Date.now() / 1000, meta: {} },
          {
            type: "step",
            id: 1,
            parent_id: null,
            name: step,
            context: {},
            started_at: Date.now() / 1000,
            outcome: "ok",
          },
        ].map((line) => JSON.stringify(line)).join("\n") + "\n",
      );
    write("wanted", "20261125_120000_a", "first_of_wanted");
    const done = main(["--dir", sub, "tail", "--agent", "wanted"], io);
    try {
      await until(() => io.out().includes("first_of_wanted"), 60_000, "the wanted agent's session");
      // The other agent's session is the newest: without the filter, tail would move on to it and never
      // come back to the wanted agent's (older) new session.
      write("other", "20261125_120003_b", "step_of_other");
      write("wanted", "20261125_120002_c", "second_of_wanted");
      await until(() => io.out().includes("second_of_wanted"), 60_000, "the wanted agent's newer session");
      assert.doesNotMatch(io.out(), /step_of_other|── other/);
    } finally {
      controller.abort();
      assert.equal(await done, 0);
      removeDir(sub);
    }
  });

  test("tail --agent with no match says so", async () => {
    const none = await cli(["--dir", dir, "tail", "--no-follow", "--agent", "nobody"]);
    assert.equal(none.code, 0);
    assert.match(none.err, /No session that matches the filters/);
  });
});

describe("push --all filters", () => {
  test("push --all sends only the sessions that pass the filters, and --json says which", async () => {
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
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const args = ["--dir", dir, "push", "--all", "--endpoint", endpoint, "--protocol", "http/json", "--json"];
      const { code, out, err } = await cli([...args, "--agent", "research_agent", "--state", "crashed"]);
      assert.equal(code, 0, err);
      const report = JSON.parse(out);
      assert.deepEqual(report.filter, { agent: ["research_agent"], state: ["crashed"] });
      assert.deepEqual(report.sessions.map((s: { session_id: string }) => s.session_id.split("_").pop()), [
        "r3h",
        "r3d",
      ]);
      assert.equal(bodies.length, 1);
      assert.equal(JSON.parse(bodies[0]).resourceSpans.length, 2, "two sessions reached the server");
      const none = await cli([...args, "--since", "10s"]);
      assert.equal(none.code, 0);
      assert.deepEqual(JSON.parse(none.out).sessions, []);
      assert.equal(bodies.length, 1, "nothing sent when no session passes");
      const bad = await cli(["--dir", dir, "push", "latest", "--endpoint", endpoint, "--state", "crashed"]);
      assert.equal(bad.code, 2);
      assert.match(bad.err, /need --all/);
    } finally {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("export --all filters", () => {
  test("export --all writes each session that passes the filters into -o DIR, and says which filter", async () => {
    const out = join(tempDir(), "reports");
    try {
      const { code, out: stdout, err } = await cli([
        "--dir",
        dir,
        "export",
        "--all",
        "--format",
        "md",
        "-o",
        out,
        "--agent",
        "research_*",
        "--errors",
        "--json",
      ]);
      assert.equal(code, 0, err);
      const report = JSON.parse(stdout);
      assert.deepEqual(report.filter, { agent: ["research_*"], errors: true });
      assert.deepEqual(readdirSync(out).sort(), [
        "research_agent_20261125_210000_r3h.md",
        "research_beta_20261125_220000_b2h.md",
      ]);
      assert.match(readFileSync(join(out, "research_beta_20261125_220000_b2h.md"), "utf8"), /# Trace: research\\_beta/);
      const all = await cli(["--dir", dir, "export", "--all", "--format", "json", "-o", out]);
      assert.equal(all.code, 0, all.err);
      assert.match(all.err, /Wrote json of 6 sessions to/);
      assert.equal(readdirSync(out).filter((name) => name.endsWith(".json")).length, 6);
    } finally {
      removeDir(join(out, ".."));
    }
  });

  test("export --all needs -o DIR; filters other than --agent need --all", async () => {
    const a = await cli(["--dir", dir, "export", "--all", "--format", "md"]);
    assert.equal(a.code, 2);
    assert.match(a.err, /"--all" needs -o DIR/);
    const b = await cli(["--dir", dir, "export", "latest", "--format", "md", "--errors"]);
    assert.equal(b.code, 2);
    assert.match(b.err, /need --all/);
    const c = await cli(["--dir", dir, "export", "--all", "--format", "md", "-o", "x", "--since", "yesterday-ish"]);
    assert.equal(c.code, 2);
    assert.match(c.err, /"--since" needs a duration/);
  });
});

describe("parsers", () => {
  test("parseDuration() reads units and sums them", () => {
    assert.equal(parseDuration("90m"), 90 * 60_000);
    assert.equal(parseDuration("2h"), 7_200_000);
    assert.equal(parseDuration("7d"), 7 * 86_400_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    for (const bad of ["", "h", "2", "2 h", "-2h", "1.5h", "2y"]) assert.equal(parseDuration(bad), undefined, bad);
  });

  test("parseDateTime() is UTC unless an offset is given, and refuses impossible dates", () => {
    assert.equal(parseDateTime("2026-11-30"), Date.UTC(2026, 10, 30));
    assert.equal(parseDateTime("2026-11-30T14:00"), Date.UTC(2026, 10, 30, 14));
    assert.equal(parseDateTime("2026-11-30 14:00:05.5Z"), Date.UTC(2026, 10, 30, 14, 0, 5, 500));
    assert.equal(parseDateTime("2026-11-30T14:00:00+02:00"), Date.UTC(2026, 10, 30, 12));
    assert.equal(parseDateTime("2026-11-30T14:00-0130"), Date.UTC(2026, 10, 30, 15, 30));
    for (const bad of ["2026-02-30", "2026-11-30T24:00", "2026-11-30+02:00", "30/11/2026", "yesterday"]) {
      assert.equal(parseDateTime(bad), undefined, bad);
    }
  });

  test("parseTimeBound() counts a duration back from now", () => {
    assert.equal(parseTimeBound("2h", NOW), (NOW - 7_200_000) / 1000);
    assert.equal(parseTimeBound("2026-11-30", NOW), Date.UTC(2026, 10, 30) / 1000);
  });

  test("globMatch() matches * and ? and nothing else specially", () => {
    assert.ok(globMatch("research_*", "research_agent"));
    assert.ok(globMatch("*_agent", "research_agent"));
    assert.ok(globMatch("r?search*", "research"));
    assert.ok(!globMatch("research_*", "trading_agent"));
    assert.ok(!globMatch("a.c", "abc"));
    assert.ok(globMatch("*a*a*a*b", "a".repeat(2000) + "b"));
    assert.ok(!globMatch("*a*a*a*b", "a".repeat(2000)));
  });
});

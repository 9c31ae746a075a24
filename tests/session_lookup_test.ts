import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { cli } from "./_cli.ts";
import { removeDir, sessionRecord, tempDir } from "./_helpers.ts";
import { writeStandardSessions } from "./_session_fixtures.ts";
import { AmbiguousSessionError, findSession, SessionNotFoundError } from "../src/read/trace_dir.ts";

let dir = "";
let paths: Record<string, string> = {};
before(async () => {
  dir = tempDir();
  paths = await writeStandardSessions(dir);
});
after(() => removeDir(dir));

const suffix = (name: string) => name.replace(/\.jsonl?$/, "").split("_").pop();

describe("findSession()", () => {
  test("findSession() takes latest, latest~N, latest:AGENT and latest:AGENT~N", () => {
    assert.equal(suffix(findSession(dir, "latest").name), "trun");
    assert.equal(suffix(findSession(dir, "latest~1").name), "r1h");
    assert.equal(suffix(findSession(dir, "latest~5").name), "t40d");
    assert.equal(suffix(findSession(dir, "latest:research_agent").name), "r1h");
    assert.equal(suffix(findSession(dir, "latest:research_agent~2").name), "r3d");
    assert.equal(suffix(findSession(dir, "latest:research_*~1").name), "b2h");
    assert.equal(suffix(findSession(dir, "latest:trading_agent~1").name), "t40d");
  });

  test("findSession() narrows latest to the agents given", () => {
    assert.equal(suffix(findSession(dir, "latest", { agents: ["research_beta"] }).name), "b2h");
    assert.equal(suffix(findSession(dir, "latest~1", { agents: ["research_*"] }).name), "b2h");
  });

  test("findSession() throws when latest goes past the sessions there are", () => {
    assert.throws(() => findSession(dir, "latest~6"), SessionNotFoundError);
    assert.throws(() => findSession(dir, "latest:nobody"), /No session is "latest:nobody"/);
    assert.throws(() => findSession(dir, "latest:research_beta~1"), SessionNotFoundError);
  });

  test("findSession() takes an agent's name for its newest session, and says so when it has several", () => {
    const notes: string[] = [];
    const file = findSession(dir, "research_agent", { onNote: (note) => notes.push(note) });
    assert.equal(suffix(file.name), "r1h");
    assert.equal(notes.length, 1);
    assert.match(notes[0], /"research_agent" is an agent with 3 sessions: showing the newest, \d{8}_\d{6}_r1h/);
    notes.length = 0;
    assert.equal(suffix(findSession(dir, "research_beta", { onNote: (note) => notes.push(note) }).name), "b2h");
    assert.deepEqual(notes, []); // one session: nothing to say
  });

  test("findSession() keeps an ambiguous prefix an error", () => {
    assert.throws(() => findSession(dir, "research"), AmbiguousSessionError);
    assert.throws(() => findSession(dir, "research_agent_2026"), AmbiguousSessionError);
  });

  test("findSession() with latest:AGENT matches the agent written in the file, not only its file name", () => {
    const sub = tempDir();
    try {
      // The agent "team/research" is written as "team_research" in the file name.
      const record = sessionRecord({ agent: "team/research", session_id: "20261125_100000_x", started_at: 1 });
      writeFileSync(join(sub, "team_research_20261125_100000_x.jsonl"), JSON.stringify(record) + "\n");
      const other = sessionRecord({ agent: "team_research", session_id: "20261125_110000_y", started_at: 2 });
      writeFileSync(join(sub, "team_research_20261125_110000_y.jsonl"), JSON.stringify(other) + "\n");
      assert.equal(suffix(findSession(sub, "latest:team/research").name), "x");
      assert.equal(suffix(findSession(sub, "latest:team_research").name), "y");
    } finally {
      removeDir(sub);
    }
  });
});

describe("session lookup on the command line", () => {
  test("view latest:AGENT shows that agent's newest session", async () => {
    const { code, out, err } = await cli(["--dir", dir, "view", "latest:research_agent", "--json"]);
    assert.equal(code, 0, err);
    assert.equal(JSON.parse(out).path, paths.research_1h);
  });

  test("view latest --agent is latest:AGENT, and takes latest~N", async () => {
    const a = await cli(["--dir", dir, "view", "latest", "--agent", "research_agent", "--json"]);
    assert.equal(JSON.parse(a.out).path, paths.research_1h);
    const b = await cli(["--dir", dir, "view", "latest~1", "--agent", "research_agent", "--json"]);
    assert.equal(JSON.parse(b.out).path, paths.research_3h_crashed);
  });

  test("view --agent with a session that is not latest is a usage error", async () => {
    const { code, err } = await cli(["--dir", dir, "view", "research_beta", "--agent", "research_agent"]);
    assert.equal(code, 2);
    assert.match(err, /"--agent" works with latest or latest~N, not "research_beta"/);
  });

  test("view AGENT shows its newest session with one line on standard error", async () => {
    const { code, out, err } = await cli(["--dir", dir, "view", "research_agent", "--json"]);
    assert.equal(code, 0, err);
    assert.equal(JSON.parse(out).path, paths.research_1h);
    assert.equal(err.trim().split("\n").length, 1, err);
    assert.match(err, /^note: "research_agent" is an agent with 3 sessions: showing the newest/);
    assert.match(err, /\("ai-trace list --agent research_agent" lists them\)\n$/);
  });

  test("the note names the command as the user runs the CLI: npm run cli -- from a checkout", async () => {
    const { code, err } = await cli(["--dir", dir, "view", "research_agent", "--json"], {
      env: { npm_lifecycle_event: "cli" },
    });
    assert.equal(code, 0, err);
    assert.match(err, /\("npm run cli -- list --agent research_agent" lists them\)\n$/);
  });

  test("view with an ambiguous prefix is still a usage error", async () => {
    const { code, err } = await cli(["--dir", dir, "view", "research"]);
    assert.equal(code, 2);
    assert.match(err, /"research" matches 4 sessions/);
  });

  test("view latest:AGENT of no session exits 1 with one line", async () => {
    const { code, err } = await cli(["--dir", dir, "view", "latest:nobody"]);
    assert.equal(code, 1);
    assert.match(err, /^error: No session is "latest:nobody" in/);
  });

  test("export takes latest:AGENT and --agent", async () => {
    const a = await cli(["--dir", dir, "export", "latest:research_beta", "--format", "json"]);
    assert.equal(a.code, 0, a.err);
    assert.equal(JSON.parse(a.out).agent, "research_beta");
    const b = await cli(["--dir", dir, "export", "latest", "--agent", "trading_*", "--format", "json"]);
    assert.equal(JSON.parse(b.out).agent, "trading_agent");
  });
});

describe("view step filters", () => {
  let viewDir = "";
  before(() => {
    viewDir = tempDir();
    const step = (id: number, parent: number | null, name: string, kind: string, extra: object = {}) => ({
      type: "step",
      id,
      parent_id: parent,
      name,
      kind,
      context: { seen: `context of ${name}` },
      started_at: 100 + id,
      finished_at: 100.5 + id,
      duration_ms: 500,
      outcome: "ok",
      error: null,
      logs: [{ _t: 100.2 + id, note: `log of ${name}` }],
      ...extra,
    });
    const lines = [
      sessionRecord({ agent: "planner", session_id: "20261125_100000_v", started_at: 100 }),
      step(3, 2, "fetch_a", "tool", { outcome: "error", error: "timeout" }),
      step(4, 2, "fetch_b", "tool"),
      step(2, 1, "search", "tool"),
      step(5, 1, "think", "llm", { decision: { action: "answer", reason: "enough sources" } }),
      step(1, null, "plan", "agent", { decision: { action: "search" } }),
      step(6, null, "report", "llm"),
      { type: "start", id: 7, parent_id: null, name: "cleanup", context: {}, started_at: 110 },
    ];
    writeFileSync(
      join(viewDir, "planner_20261125_100000_v.jsonl"),
      lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
    );
  });
  after(() => removeDir(viewDir));

  const view = async (...flags: string[]) => {
    const result = await cli(["--dir", viewDir, "view", "latest", ...flags]);
    assert.equal(result.code, 0, result.err);
    return result.out;
  };
  const names = async (...flags: string[]) => {
    const report = JSON.parse(await view("--json", ...flags));
    return report.steps.map((s: { name: string; filter_ancestor?: boolean }) =>
      s.filter_ancestor ? `(${s.name})` : s.name
    );
  };

  test("view --errors shows the failed steps and their ancestors; the totals stay the whole session's", async () => {
    assert.deepEqual(await names("--errors"), ["(plan)", "(search)", "fetch_a"]);
    const out = await view("--errors");
    assert.match(out, /6 steps · 5 ok · 1 error · 1 in flight/);
    assert.match(out, /filter +--errors: 1 of 7 steps shown \(and 2 steps above them\)/);
    assert.match(out, /context of plan/); // what the agent saw above the failure
    assert.doesNotMatch(out, /log of plan/); // an ancestor's logs are left out
    assert.match(out, /log of fetch_a/);
    assert.doesNotMatch(out, /fetch_b|think|report|cleanup/);
    const json = JSON.parse(await view("--json", "--errors"));
    assert.deepEqual(json.filter, { errors: true });
    assert.equal(json.summary.steps, 6);
  });

  test("view --in-flight shows the steps that never ended", async () => {
    assert.deepEqual(await names("--in-flight"), ["cleanup"]);
  });

  test("view --name takes an exact name or a glob", async () => {
    assert.deepEqual(await names("--name", "search"), ["(plan)", "search"]);
    assert.deepEqual(await names("--name", "fetch_*"), ["(plan)", "(search)", "fetch_a", "fetch_b"]);
    assert.deepEqual(await names("--name", "nothing"), []);
    assert.match(await view("--name", "nothing"), /no step matches the filter/);
  });

  test("view --kind picks steps of a kind", async () => {
    assert.deepEqual(await names("--kind", "llm"), ["(plan)", "think", "report"]);
  });

  test("view --decisions shows the decisions with what the agent saw", async () => {
    assert.deepEqual(await names("--decisions"), ["plan", "think"]);
    const out = await view("--decisions");
    assert.match(out, /answer — enough sources/);
    assert.match(out, /context of think/);
  });

  test("view --depth cuts the tree", async () => {
    assert.deepEqual(await names("--depth", "1"), ["plan", "report", "cleanup"]);
    assert.deepEqual(await names("--depth", "2"), ["plan", "search", "think", "report", "cleanup"]);
    assert.equal((await names()).length, 7);
  });

  test("view combines step filters", async () => {
    assert.deepEqual(await names("--kind", "tool", "--errors"), ["(plan)", "(search)", "fetch_a"]);
    assert.deepEqual(await names("--kind", "tool", "--depth", "2"), ["(plan)", "search"]);
    assert.deepEqual(await names("--decisions", "--kind", "llm"), ["(plan)", "think"]);
  });

  test("view --depth with a bad value exits 2", async () => {
    for (const bad of ["0", "x", "-1"]) {
      const { code, err } = await cli(["--dir", viewDir, "view", "latest", "--depth", bad]);
      assert.equal(code, 2, bad);
      assert.match(err, /"--depth"/);
    }
  });
});

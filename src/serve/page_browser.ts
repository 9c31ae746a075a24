/**
 * The browser code of `ai-trace serve`'s page, as a real TypeScript module
 * that `deno check` and `deno lint` see. It is never imported at run time:
 * `scripts/build_browser_scripts.ts` transpiles {@linkcode servePage} into the
 * string constant of `page_script.ts`, which the page inlines and its
 * Content-Security-Policy allows by hash; CI and a test fail when that file is
 * not current. So the function must stay self-contained: no imports but
 * types, nothing from outside the function but the helpers it is called with.
 *
 * Every value from the server (agent names, session ids, step names) is
 * hostile: it reaches the page through `textContent` and attributes only,
 * never as markup, with control and invisible characters shown as `\u…`
 * escapes (the rule of `printable.ts`).
 *
 * @module
 */

import type { formatDuration as formatDurationRule } from "../render/duration.ts";
import type { VisibleText } from "../render/text_browser.ts";

/** What `/api/sessions` answers (as `ai-trace list --json`), as far as the page reads it. */
interface ListedSessionJson {
  name: string;
  agent: string;
  session_id: string;
  started_at: number | null;
  duration_ms: number | null;
  steps: number;
  errors: number;
  in_flight: number;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  state: string;
  size: number;
}

/** One per-step-name row of `/api/stats` (as `ai-trace stats --json`). */
interface NameStatsJson {
  name: string;
  count: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

/** What `/api/stats` answers, as far as the page reads it. */
interface StatsJson {
  sessions: number;
  steps: number;
  ok: number;
  errors: number;
  in_flight?: number;
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
  by_name: NameStatsJson[];
}

/**
 * Runs the page: the session list with its filters, the totals, one session's
 * report in a sandboxed frame, live updates over server-sent events.
 *
 * @param textRule How text from the server is shown: `visibleText` of
 *   `text_browser.ts` with the escaping rule of `printable.ts`, put in the
 *   page by the build.
 * @param formatDuration How durations are written: `formatDuration` of
 *   `duration.ts` (the rule of the CLI and the reports), put in the page by
 *   the build.
 */
export function servePage(textRule: VisibleText, formatDuration: typeof formatDurationRule): void {
  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const listBody = $<HTMLTableSectionElement>("list-body");
  const search = $<HTMLInputElement>("search");
  const agentSelect = $<HTMLSelectElement>("agent");
  const stateSelect = $<HTMLSelectElement>("state");
  const frame = $<HTMLIFrameElement>("report");
  const home = $<HTMLElement>("home");
  const toolbar = $<HTMLElement>("toolbar");
  const title = $<HTMLElement>("session-title");
  const diffWith = $<HTMLSelectElement>("diff-with");
  const live = $<HTMLElement>("live");
  const count = $<HTMLElement>("count");

  let sessions: ListedSessionJson[] = [];
  let open: string | null = null;
  let version = 0;

  const el = (tag: string, text?: string, className?: string): HTMLElement => {
    const node = document.createElement(tag);
    if (text !== undefined) textRule.set(node, text);
    if (className !== undefined) node.className = className;
    return node;
  };
  // An option holds text only: unsafe characters escaped as plain text.
  const option = (text: string, value: string): HTMLOptionElement => {
    const node = document.createElement("option");
    node.textContent = textRule.plain(text);
    node.value = value;
    return node;
  };
  const number = (n: number | null | undefined): string => (n ?? 0).toLocaleString("en-US");
  // The one rule of durations (render/duration.ts), passed in by the build; "—" when unknown.
  const duration = (ms: number | null | undefined): string =>
    ms === null || ms === undefined || !Number.isFinite(ms) ? "—" : formatDuration(ms);
  const when = (seconds: number | null): string => {
    if (seconds === null || !Number.isFinite(seconds)) return "—";
    const date = new Date(seconds * 1000);
    return Number.isNaN(date.getTime()) ? "invalid time" : date.toISOString().replace("T", " ").slice(0, 19);
  };
  const tokens = (input: number | undefined, output: number | undefined): string =>
    (input ?? 0) + (output ?? 0) === 0 ? "—" : number((input ?? 0) + (output ?? 0));
  const cost = (usd: number | undefined): string => (usd ? `$${usd.toFixed(usd < 0.01 ? 5 : 2)}` : "—");
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(path, { headers: { accept: "application/json" } });
    if (!response.ok) {
      // The server says what is wrong in one line ({"error": "…"}); else the status has to do.
      const body = await response.json().catch(() => ({})) as { error?: unknown };
      throw new Error(typeof body.error === "string" ? body.error : `${path} answered ${response.status}`);
    }
    return await response.json() as T;
  };
  const showError = (error: unknown): void => {
    count.textContent = `Cannot load the sessions: ${error instanceof Error ? error.message : String(error)}`;
  };
  const sessionUrl = (name: string, rest: string): string => `/sessions/${encodeURIComponent(name)}/${rest}`;
  // The session the address names (`#FILE`); an address that does not decode names none.
  const hashName = (): string => {
    try {
      return decodeURIComponent(location.hash.slice(1));
    } catch {
      return "";
    }
  };

  const matches = (session: ListedSessionJson): boolean => {
    if (agentSelect.value !== "" && session.agent !== agentSelect.value) return false;
    if (stateSelect.value !== "" && session.state !== stateSelect.value) return false;
    const query = search.value.trim().toLowerCase();
    if (query === "") return true;
    return [session.agent, session.session_id, session.name, session.state].some((text) =>
      text.toLowerCase().includes(query)
    );
  };

  const renderList = (): void => {
    const agents = [...new Set(sessions.map((s) => s.agent))].sort();
    const chosen = agentSelect.value;
    agentSelect.replaceChildren(option("All agents", ""));
    for (const agent of agents) agentSelect.append(option(agent, agent));
    agentSelect.value = agents.includes(chosen) ? chosen : "";
    const shown = sessions.filter(matches);
    count.textContent = shown.length === sessions.length
      ? `${number(sessions.length)} sessions`
      : `${number(shown.length)} of ${number(sessions.length)} sessions`;
    listBody.replaceChildren();
    for (const session of shown) {
      const row = el("tr");
      row.dataset.name = session.name;
      row.tabIndex = 0;
      row.title = textRule.plain(`${session.agent} · ${session.session_id || session.name}`);
      if (session.name === open) row.classList.add("open");
      const state = el(
        "td",
        session.in_flight > 0 ? `${session.state} (${session.in_flight} in flight)` : session.state,
      );
      state.className = `state ${session.state}`;
      const started = el("td", undefined, "time");
      const at = when(session.started_at);
      started.append(el("div", at.slice(11) || at), el("div", at.slice(0, 10), "day"));
      const who = el("td", undefined, "who");
      who.append(el("div", session.agent, "agent"), el("div", session.session_id || session.name, "id"));
      row.append(
        started,
        who,
        el("td", number(session.steps), "num"),
        el("td", number(session.errors), session.errors > 0 ? "num bad" : "num"),
        el("td", duration(session.duration_ms), "num"),
        el("td", tokens(session.input_tokens, session.output_tokens), "num"),
        el("td", cost(session.cost_usd), "num"),
        state,
      );
      row.addEventListener("click", () => openSession(session.name));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter") openSession(session.name);
      });
      listBody.append(row);
    }
    renderDiffWith();
  };

  // "Diff with": the open session's agent first, and chosen, its run before it (what `diff latest~1 latest`
  // compares). A choice the user made stays chosen while the list refreshes live.
  let diffChoice: { open: string; with: string } | undefined;
  diffWith.addEventListener("change", () => {
    if (open !== null) diffChoice = { open, with: diffWith.value };
  });
  const renderDiffWith = (): void => {
    const at = sessions.findIndex((s) => s.name === open);
    const agent = at === -1 ? undefined : sessions[at].agent;
    const others = sessions.filter((s) => s.name !== open);
    const ordered = [...others.filter((s) => s.agent === agent), ...others.filter((s) => s.agent !== agent)];
    diffWith.replaceChildren();
    for (const session of ordered) {
      diffWith.append(option(`${session.agent} · ${session.session_id || session.name}`, session.name));
    }
    const before = sessions.slice(at + 1).find((s) => s.agent === agent);
    const kept = diffChoice !== undefined && diffChoice.open === open ? diffChoice.with : undefined;
    const chosen = [kept, before?.name, ordered[0]?.name].find((name) => ordered.some((s) => s.name === name));
    if (chosen !== undefined) diffWith.value = chosen;
  };

  const renderStats = (stats: StatsJson): void => {
    const totals = $<HTMLElement>("totals");
    totals.replaceChildren();
    const pairs: [string, string][] = [
      ["sessions", number(stats.sessions)],
      ["steps", number(stats.steps)],
      ["ok", number(stats.ok)],
      ["errors", number(stats.errors)],
      ["tokens in", number(stats.input_tokens)],
      ["tokens out", number(stats.output_tokens)],
      ["cost", cost(stats.cost_usd)],
    ];
    for (const [label, value] of pairs) {
      const item = el("div", undefined, "total");
      item.append(el("span", value, "value"), el("span", label, "label"));
      totals.append(item);
    }
    const body = $<HTMLTableSectionElement>("names-body");
    body.replaceChildren();
    for (const row of stats.by_name) {
      const tr = el("tr");
      tr.append(
        el("td", row.name, "name"),
        el("td", number(row.count), "num"),
        el("td", number(row.errors), row.errors > 0 ? "num bad" : "num"),
        el("td", row.count > 0 ? `${((row.errors / row.count) * 100).toFixed(1)}%` : "—", "num"),
        el("td", duration(row.p50_ms), "num"),
        el("td", duration(row.p95_ms), "num"),
        el("td", tokens(row.input_tokens, row.output_tokens), "num"),
        el("td", cost(row.cost_usd), "num"),
      );
      body.append(tr);
    }
  };

  // Runs `task` now, or once more when the run in flight ends: never two at once (a big directory takes a while
  // to read, and a running agent changes it four times a second), and never a change left unshown.
  const oneAtATime = (task: () => Promise<void>): () => void => {
    let running = false;
    let again = false;
    const run = (): void => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      task().catch(() => {}).finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
    };
    return run;
  };

  // The step selected in the open report (it tells us), selected again when the report is reloaded.
  let selectedStep: number | null = null;
  addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow) return;
    const data = event.data as { aiTrace?: unknown; step?: unknown } | null;
    if (data?.aiTrace !== "select") return;
    selectedStep = Number.isSafeInteger(data.step) ? data.step as number : null;
  });
  // The session the open one is compared with, while the frame shows their diff.
  let comparedWith: string | null = null;
  const showReport = (): void => {
    if (open === null) return;
    frame.src = comparedWith !== null
      ? `/diff?a=${encodeURIComponent(comparedWith)}&b=${encodeURIComponent(open)}&v=${version}`
      : sessionUrl(open, `report.html?v=${version}`) + (selectedStep === null ? "" : `#step=${selectedStep}`);
  };
  // The open report again, with what its file has now, once the one loading has loaded.
  let reportWait: (() => void) | undefined;
  const reloadReport = oneAtATime(() =>
    new Promise<void>((resolve) => {
      if (open === null) return resolve();
      reportWait = resolve;
      version++;
      frame.addEventListener("load", () => resolve(), { once: true });
      showReport();
    })
  );

  const openSession = (name: string | null): void => {
    if (name !== open) selectedStep = null;
    comparedWith = null;
    open = name;
    // A report still loading is not waited for (a frame that loses its address tells nothing).
    reportWait?.();
    reportWait = undefined;
    if (name === null) {
      if (location.hash !== "") history.replaceState(null, "", location.pathname);
      home.hidden = false;
      toolbar.hidden = true;
      frame.hidden = true;
      frame.removeAttribute("src");
    } else {
      if (hashName() !== name) location.hash = encodeURIComponent(name);
      const session = sessions.find((s) => s.name === name);
      textRule.set(title, session ? `${session.agent} · ${session.session_id || session.name}` : name);
      home.hidden = true;
      toolbar.hidden = false;
      frame.hidden = false;
      for (const link of document.querySelectorAll<HTMLAnchorElement>("a[data-format]")) {
        link.href = sessionUrl(name, `export?format=${link.dataset.format}`);
      }
      showReport();
    }
    renderList();
  };

  const refresh = async (): Promise<void> => {
    const [list, stats] = await Promise.all([
      api<{ sessions: ListedSessionJson[] }>("/api/sessions"),
      api<StatsJson>("/api/stats"),
    ]);
    sessions = list.sessions;
    renderList();
    renderStats(stats);
  };
  const reload = oneAtATime(() => refresh().catch(showError));

  let pending: ReturnType<typeof setTimeout> | undefined;
  const connect = (): void => {
    const events = new EventSource("/api/events");
    let lost = false;
    events.addEventListener("open", () => {
      live.textContent = "live";
      live.className = "live on";
      // What changed before the stream was open (between the first read and now) or while it was down was never
      // told: read it all again.
      reload();
      if (lost) {
        lost = false;
        reloadReport();
      }
    });
    events.addEventListener("error", () => {
      lost = true;
      live.textContent = "reconnecting…";
      live.className = "live off";
    });
    events.addEventListener("change", (event) => {
      const change = JSON.parse((event as MessageEvent<string>).data) as {
        added: string[];
        changed: string[];
        removed: string[];
      };
      if (open !== null && change.changed.includes(open)) reloadReport();
      if (open !== null && change.removed.includes(open)) openSession(null);
      // Several changes close together make one refresh.
      if (pending === undefined) {
        pending = setTimeout(() => {
          pending = undefined;
          reload();
        }, 100);
      }
    });
  };

  search.addEventListener("input", renderList);
  agentSelect.addEventListener("change", renderList);
  stateSelect.addEventListener("change", renderList);
  $<HTMLButtonElement>("home-button").addEventListener("click", () => openSession(null));
  $<HTMLButtonElement>("diff-button").addEventListener("click", () => {
    if (open === null || diffWith.value === "") return;
    comparedWith = diffWith.value;
    showReport();
  });
  addEventListener("hashchange", () => {
    const name = hashName();
    if (name !== (open ?? "")) openSession(name === "" ? null : name);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });

  refresh().then(() => {
    const name = hashName();
    if (name !== "") openSession(name);
    document.body.dataset.ready = "1";
  }).catch((error: unknown) => {
    showError(error);
  });
  connect();
}

// Heft's window: talks only to the app's own commands and events.
"use strict";

const { invoke } = window.__TAURI__.core;
const { listen } = window.__TAURI__.event;
const $ = (id) => document.getElementById(id);
const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

const ui = { userid: null, kind: "weight", range: "90d", unit: "kg", chart: null, syncing: false, accounts: [], show: "all" };

/// Light or dark: the person's choice in Settings, else the system's.
function isDark() {
  const t = document.documentElement.dataset.theme;
  return t === "dark" || (t !== "light" && darkQuery.matches);
}

function applyTheme(theme) {
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function showMessage(text, kind = "warn") {
  const m = $("message");
  m.textContent = text;
  m.className = "message" + (kind === "error" ? " error" : "");
  // Errors interrupt (assertive); notices wait their turn.
  m.setAttribute("role", kind === "error" ? "alert" : "status");
  m.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
  m.hidden = !text;
}

/// What to tell a person for each error code the core sends.
function explain(err) {
  const msg = (err && err.message) || String(err);
  switch (err && err.code) {
    case "offline": return "You are offline or Withings cannot be reached. Your history still works; Heft will try again. (" + msg + ")";
    case "keychain_unavailable": return msg;
    case "keychain_damaged": return msg;
    case "reconnect_needed": return "Withings needs you to reconnect this account (your history is kept): click Accounts… → Connect. " + msg;
    case "rate_limited": return msg;
    case "from_withings": return msg;
    case "import_failed": return msg;
    case "demo_not_running": return "The demo simulator is not running; your demo history is still here. Sync again to start it, or Remove demo.";
    default: return msg;
  }
}

/// A moment in the person's conventions (system locale: order, month names, 12/24-hour clock)
/// and in the account's time zone, as the charts use it.
function fmtDate(ts, withTime = true) {
  if (ts == null) return "";
  const tz = ui.account && ui.account.timezone;
  const opts = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  try {
    return new Intl.DateTimeFormat(ui.locale, tz ? { ...opts, timeZone: tz } : opts).format(new Date(ts * 1000));
  } catch (e) {
    return new Date(ts * 1000).toLocaleString(ui.locale, opts);
  }
}

/// A number with one decimal in the system locale ("78,4" in German).
let oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
let DECIMAL = ".";

/// The system locale as the core read it (the web view may not know it).
function setLocale(tag) {
  try {
    ui.locale = tag ? Intl.getCanonicalLocales(tag)[0] : undefined;
  } catch (e) {
    ui.locale = undefined;
  }
  oneDecimal = new Intl.NumberFormat(ui.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  DECIMAL = oneDecimal.format(1.5).replace(/[0-9]/g, "") || ".";
  document.documentElement.lang = ui.locale || "en";
}

/// A number for a form field, with the locale's decimal separator (either is accepted back).
function fieldNumber(v, digits) {
  return v.toFixed(digits).replace(".", DECIMAL);
}

/// Too few weigh-ins is a state the view shows ("—"); anything else is said out loud.
function unlessNoData(e, what) {
  if (e && e.code === "no_data") return;
  showMessage(what + ": " + explain(e), "error");
}

/// The header's last sync, in the account's time zone like every other date on the page.
function when(ts) {
  return ts ? "Last sync " + fmtDate(ts) : "Never synced";
}

function setSelected(groupId, attr, value, dataKey) {
  for (const b of $(groupId).querySelectorAll("button")) {
    const on = b.dataset[dataKey] === value;
    b.setAttribute(attr, String(on));
    // Roving focus (WAI-ARIA tabs and radio groups): Tab reaches the chosen one, arrows the rest.
    b.tabIndex = on ? 0 : -1;
  }
}

/// Arrow keys, Home and End move along a tab list or radio group and choose (WAI-ARIA).
function arrowKeys(groupId) {
  const group = $(groupId);
  group.addEventListener("keydown", (ev) => {
    const buttons = [...group.querySelectorAll("button")];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const n = buttons.length;
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: n - 1 }[ev.key];
    if (to === undefined) return;
    ev.preventDefault();
    const b = buttons[(to + n) % n];
    b.focus();
    b.click();
  });
}

/// `overview`: the answer to one asked for already (at start), else a new one.
async function refresh(asked) {
  const ov = await (asked || invoke("overview"));
  ui.accounts = ov.accounts;
  ui.unit = ov.unit || "kg";
  ui.defaultUnit = ui.unit;
  setSelected("unit-tabs", "aria-checked", ui.unit, "unit");
  if (ov.demo_url) {
    $("demo-url").textContent = "Demo simulator: " + ov.demo_url;
    $("demo-url").hidden = false;
  }
  if (ov.accounts.length === 0) {
    $("welcome").hidden = false;
    $("app").hidden = true;
    return false;
  }
  $("welcome").hidden = true;
  $("app").hidden = false;
  const sel = $("account");
  sel.replaceChildren();
  for (const a of ov.accounts) {
    const o = document.createElement("option");
    o.value = a.userid;
    o.textContent = accountLabel(a) + (a.needs_reconnect ? " (reconnect needed)" : "") + (a.to_review ? ` · ${a.to_review} to review` : "");
    sel.append(o);
  }
  if (!ui.userid || !ov.accounts.some((a) => a.userid === ui.userid)) ui.userid = ov.accounts[0].userid;
  sel.value = ui.userid;
  const acct = ov.accounts.find((a) => a.userid === ui.userid);
  ui.account = acct;
  ui.unit = acct.unit || ui.unit;
  setSelected("unit-tabs", "aria-checked", ui.unit, "unit");
  document.documentElement.style.setProperty("--account", acct.colour || "");
  sel.style.borderLeft = acct.colour ? "6px solid " + acct.colour : "";
  fillAccountForm(acct);
  const hint = $("review-hint");
  hint.hidden = !acct.to_review;
  hint.textContent = acct.to_review
    ? `${acct.to_review} weigh-in${acct.to_review === 1 ? "" : "s"} may be someone else's (Withings was not sure): they are left out of your trend until you say "Mine".`
    : "";
  $("show-review").textContent = "To review" + (acct.to_review ? ` (${acct.to_review})` : "");
  $("account-badge").hidden = !acct.demo;
  $("remove-demo").hidden = !acct.demo;
  $("last-sync").textContent = when(acct.last_sync_at);
  await loadAll();
  return true;
}

async function loadAll() {
  // The chart first: it is what a person looks at; the rest fills in around it.
  await Promise.all([loadChart(), loadSummary()]);
  await Promise.all([loadRecent(), loadSplit(), loadBacktest(), loadBody(), loadHistory(), loadHealth()]);
}

/// The account's connection health: what went well, what went wrong and what to do.
async function loadHealth() {
  const dl = $("health");
  const rows = [];
  const row = (term, text, cls) => rows.push([term, text, cls]);
  let h = null;
  try {
    h = await invoke("health", { userid: ui.userid });
  } catch (e) {
    row("Status", "The connection could not be checked: " + explain(e), "bad");
  }
  const local = ui.account && ui.account.provider === "local";
  if (h && local) row("Status", "This account lives only on this computer; there is nothing to sync.");
  if (h && !local) {
    const ok = h.last_success;
    row("Last successful sync", ok ? `${fmtDate(ok.started_at)} · ${ok.full ? "full" : "incremental"} · ${ok.added} added, ${ok.changed} changed, ${ok.removed} removed · ${ok.took}` : "none yet");
    if (h.last_error) row("Last problem", `${h.last_error.message}. ${h.last_error.fix}`, "bad");
    if (h.needs_reconnect || h.tokens_missing) row("Status", "Heft needs you to reconnect this account (its history is kept).", "bad");
    if (h.signed) row("Access", "OAuth 1.0a tokens: they do not expire.");
    else if (h.access_expires_at) row("Access token", "valid until " + fmtDate(h.access_expires_at) + " (renewed at the next sync after that)");
    if (h.consent_needed_at != null) {
      row("Your consent", `given ${h.refresh_age_days} day${h.refresh_age_days === 1 ? "" : "s"} ago; Withings asks again if Heft does not sync by ${fmtDate(h.consent_needed_at, false)}` + (h.consent_reminder ? " — sync or reconnect soon." : "."), h.consent_reminder ? "bad" : "");
    }
    const slowed = h.rate_limited_at != null ? `${fmtDate(h.rate_limited_at)}, asked to wait ${h.rate_limit_wait} s` : null;
    row("Rate limit", slowed ? (h.rate_limited_now ? "Withings is asking Heft to slow down: " : "last slowed down ") + slowed : "Withings has not asked Heft to slow down.");
    if (h.requests_last_sync != null) row("Last sync's requests", `${h.requests_last_sync} to the measure API`);
  }
  dl.replaceChildren();
  for (const [term, text, cls] of rows) {
    const dt = document.createElement("dt");
    dt.textContent = term;
    const dd = document.createElement("dd");
    dd.textContent = text;
    if (cls) dd.className = cls;
    dl.append(dt, dd);
  }
  if (h && h.consent_reminder && !local) {
    showMessage(`Withings will ask you to approve Heft again if it does not sync by ${fmtDate(h.consent_needed_at, false)}: sync now, or reconnect ${accountLabel(ui.account)}.`);
  }
  $("reconnect-button").hidden = !(h && (h.needs_reconnect || h.tokens_missing)) || local;
  $("disconnect-button").hidden = local || !!(h && (h.needs_reconnect || h.tokens_missing));
}

/// Every sync of the account, newest first; each opens to the weigh-ins it touched.
async function loadHistory() {
  const list = $("history");
  try {
    const runs = await invoke("sync_log", { userid: ui.userid, unit: ui.unit, limit: 10 });
    list.replaceChildren();
    if (runs.length === 0) {
      const li = document.createElement("li");
      li.className = "muted";
      li.textContent = "No sync yet.";
      list.append(li);
    }
    for (const r of runs) {
      const li = document.createElement("li");
      const d = document.createElement("details");
      const sum = document.createElement("summary");
      const counts = `${r.added} added, ${r.changed} changed, ${r.removed} removed`;
      const what = r.cancelled ? "cancelled after " + counts : r.error ? "failed — " + r.error : counts;
      sum.textContent = `${fmtDate(r.started_at)} · ${r.full ? "full" : "incremental"} · ${r.took} · ${what}`;
      if (r.error && !r.cancelled) li.className = "failed";
      d.append(sum);
      if (r.changes.length) {
        const ul = document.createElement("ul");
        for (const c of r.changes) {
          const item = document.createElement("li");
          item.textContent = `${fmtDate(c.ts)}: ${c.change === "added" ? "new, " : c.change === "changed" ? "changed, " : ""}${c.text}`;
          ul.append(item);
        }
        d.append(ul);
      } else {
        const p = document.createElement("p");
        p.className = "muted small";
        p.textContent = r.full && r.added > 0 && !r.changed && !r.removed ? "The first download of your history." : "No weigh-in changed.";
        d.append(p);
      }
      li.append(d);
      list.append(li);
    }
  } catch (e) {
    list.replaceChildren();
    showMessage("The sync history could not be read: " + explain(e), "error");
  }
}

/// kg in the display unit (stones as a decimal), for form fields.
function toUnit(kg) {
  return ui.unit === "kg" ? kg : ui.unit === "lb" ? kg / 0.45359237 : kg / 0.45359237 / 14;
}

function accountLabel(a) {
  if (a.name) return a.name;
  if (a.provider === "local") return "On this computer (no Withings account)";
  return (a.demo ? "Demo user " : "Withings user ") + a.userid;
}

function fillAccountForm(a) {
  $("account-name").value = a.name || "";
  $("account-colour").value = a.colour || "#2f7d5b";
  // The colour field always holds one; it is saved only when the account has its own or the
  // person picked one, so renaming an account does not change its chart's colour.
  ui.colourPicked = false;
  $("account-unit").value = a.own_unit || "";
  $("account-goal").value = a.goal_kg == null ? "" : fieldNumber(toUnit(a.goal_kg), 1);
  $("entry-unit").textContent = ui.unit;
  $("goal-unit").textContent = ui.unit;
}

/// Commands answer in any order now that none waits for another: each view keeps only the
/// answer to the latest question it asked, and drops an older one that arrives late.
const latestAsked = {};
function ask(view) {
  const n = (latestAsked[view] || 0) + 1;
  latestAsked[view] = n;
  return () => latestAsked[view] === n;
}

async function loadSummary() {
  const latest = ask("summary");
  try {
    const s = await invoke("summary", { userid: ui.userid, unit: ui.unit });
    if (!latest()) return;
    $("trend-weight").textContent = s.trend;
    $("change-30d").textContent = s.change_30d || "—";
    $("weekly-rate").textContent = s.weekly_rate || "—";
    $("bmi").textContent = s.bmi || "—";
    $("bmi-figure").hidden = !s.bmi;
    $("method").value = s.method;
    const goal = $("goal-line");
    if (s.goal) {
      goal.textContent = "Goal " + s.goal + " · " + s.projected;
      goal.hidden = false;
    } else {
      goal.hidden = true;
    }
  } catch (e) {
    for (const id of ["trend-weight", "change-30d", "weekly-rate"]) $(id).textContent = "—";
    unlessNoData(e, "Today's figures could not be worked out");
  }
}

/// The split of the trend change in fat and lean over `ui.window` (or the last 90 days).
async function loadSplit() {
  const w = ui.window || {};
  try {
    const s = await invoke("split", { userid: ui.userid, unit: ui.unit, from: w.from ?? null, to: w.to ?? null });
    $("split-sentence").textContent = s.sentence;
    const total = Math.abs(s.fat_change_kg) + Math.abs(s.lean_change_kg) || 1;
    const [fat, lean] = $("split-bar").children;
    fat.style.width = (100 * Math.abs(s.fat_change_kg) / total).toFixed(1) + "%";
    lean.style.width = (100 * Math.abs(s.lean_change_kg) / total).toFixed(1) + "%";
    fat.title = "fat"; lean.title = "lean";
  } catch (e) {
    $("split-sentence").textContent = e && e.code === "no_data" ? "No weigh-ins with a fat mass in this window." : explain(e);
  }
}

async function loadBacktest() {
  const body = $("backtest");
  try {
    const rows = await invoke("backtest", { userid: ui.userid, unit: ui.unit });
    body.replaceChildren();
    rows.forEach((r, i) => {
      const tr = document.createElement("tr");
      tr.dataset.method = r.method;
      const name = document.createElement("td");
      name.textContent = r.label + (i === 0 ? " — best for you" : "");
      if (i === 0) name.className = "best";
      const err = document.createElement("td");
      err.textContent = r.error + " (" + r.predictions + " weigh-ins)";
      const use = document.createElement("td");
      if (r.method !== $("method").value) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "ghost";
        b.textContent = "Use";
        b.addEventListener("click", () => setMethod(r.method));
        use.append(b);
      } else {
        use.textContent = "in use";
      }
      tr.append(name, err, use);
      body.append(tr);
    });
  } catch (e) {
    body.replaceChildren();
    unlessNoData(e, "The trend methods could not be compared");
  }
}

async function loadBody() {
  try {
    const rows = await invoke("body", { userid: ui.userid });
    const body = $("body");
    body.replaceChildren();
    for (const r of rows.filter((r) => !["weight", "fat-ratio", "fat-mass", "lean-mass"].includes(r.key))) {
      const tr = document.createElement("tr");
      for (const text of [r.name, r.value + (r.unit ? " " + r.unit : ""), r.date]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      body.append(tr);
    }
    $("body-card").hidden = body.children.length === 0;
  } catch (e) {
    $("body-card").hidden = true;
    unlessNoData(e, "The body measures could not be read");
  }
}

async function setMethod(method) {
  try {
    await invoke("set_method", { userid: ui.userid, method });
    $("method").value = method;
    await loadAll();
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

function button(text, onClick, cls = "ghost") {
  const b = document.createElement("button");
  b.type = "button";
  b.className = cls;
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

/// What can be said about a weigh-in where it stands: Mine / Not me, Include, or Exclude
/// (with its anomaly as the reason). `run(action, done)` performs one, as `change` does.
function standingButtons(r, run) {
  const id = r.grpid;
  const review = (mine, done) => button(mine ? "Mine" : "Not me", () => run(() => invoke("review", { userid: ui.userid, grpid: id, mine }), done));
  const exclude = (excluded, reason, done) => button(excluded ? "Exclude" : "Include", () => run(() => invoke("exclude", { userid: ui.userid, grpid: id, excluded, reason }), done));
  if (r.standing === "awaiting_review") return [review(true, "Counted as yours."), review(false, "Left out: not yours.")];
  if (r.standing === "excluded") return [exclude(false, null, "Counted again.")];
  return [exclude(true, r.anomalies[0] || null, "Excluded from the trend; Include brings it back.")];
}

/// Runs a change to the data, then shows everything again; errors are said, never swallowed.
async function change(what, done) {
  try {
    await what();
    if (done) showMessage(done);
    await refresh();
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

async function loadRecent() {
  const body = $("recent");
  const latest = ask("recent");
  try {
    const rows = await invoke("weigh_ins", { userid: ui.userid, unit: ui.unit, show: ui.show });
    if (!latest()) return;
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 5;
      td.className = "muted";
      td.textContent = ui.show === "review" ? "Nothing to review: every weigh-in is attributed." : ui.show === "flagged" ? "Nothing unusual." : "No weigh-ins yet.";
      tr.append(td);
      body.append(tr);
    }
    for (const r of rows) {
      const tr = document.createElement("tr");
      tr.dataset.grpid = String(r.grpid);
      tr.dataset.standing = r.standing;
      if (r.standing !== "counted") tr.className = "left-out";
      for (const text of [fmtDate(r.ts), r.weight, r.fat]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const notes = document.createElement("td");
      for (const f of r.flags) {
        const span = document.createElement("span");
        span.className = "flag";
        span.textContent = f;
        notes.append(span);
      }
      const said = r.standing === "excluded" ? ["excluded" + (r.reason ? ": " + r.reason : "")] : r.standing === "awaiting_review" ? ["not counted until you say whose it is"] : [];
      for (const text of [...said, ...r.anomalies]) {
        const p = document.createElement("div");
        p.className = r.anomalies.includes(text) ? "small anomaly" : "small muted";
        p.textContent = text;
        notes.append(p);
      }
      const actions = document.createElement("td");
      actions.className = "actions";
      const id = r.grpid;
      actions.append(...standingButtons(r, change));
      if (r.source !== "withings") {
        actions.append(button("Edit", () => editEntry(r)));
        actions.append(button("Delete", (ev) => {
          const b = ev.target;
          if (b.dataset.armed) return change(() => invoke("remove_entry", { userid: ui.userid, grpid: id }), "Deleted.");
          b.dataset.armed = "1";
          b.textContent = "Delete? Click again";
          setTimeout(() => { delete b.dataset.armed; b.textContent = "Delete"; }, 5000);
        }));
      }
      tr.append(notes, actions);
      body.append(tr);
    }
  } catch (e) {
    body.replaceChildren();
    showMessage("The weigh-ins could not be read: " + explain(e), "error");
  }
}

/// Runs `f` once the current frame is painted.
function afterPaint(f) {
  requestAnimationFrame(() => setTimeout(f, 0));
}

/// The last chart shown, kept between launches: at start it is asked for at once, while the
/// page is still laid out, and used if the chart to show turns out to be the same.
const LAST_CHART = "heft.lastChart";
let earlyChart = null;

function askEarlyChart() {
  try {
    const args = JSON.parse(localStorage.getItem(LAST_CHART) || "null");
    if (args && typeof args === "object") {
      earlyChart = { key: JSON.stringify(args), answer: invoke("chart", args).catch(() => null) };
    }
  } catch (_) {
    earlyChart = null;
  }
}

async function loadChart() {
  const box = $("chart");
  const width = Math.max(320, Math.round(box.clientWidth || 900));
  const height = Math.max(240, Math.round(width * 0.42));
  const args = { userid: ui.userid, kind: ui.kind, range: ui.range, unit: ui.unit, dark: isDark(), width, height };
  const key = JSON.stringify(args);
  const early = earlyChart && earlyChart.key === key ? earlyChart.answer : null;
  earlyChart = null;
  const latest = ask("chart");
  try {
    const c = (early && (await early)) || (await invoke("chart", args));
    if (!latest()) return;
    if (!document.body.dataset.firstChartMs) {
      try {
        localStorage.setItem(LAST_CHART, key); // the view a launch starts with
      } catch (_) {
        // Without storage the next launch asks for its chart after the layout.
      }
    }
    ui.chart = { ...c, width };
    // The SVG comes from Heft's own renderer (no scripts), drawn for this width.
    box.innerHTML = c.svg;
    const cursor = document.createElement("div");
    cursor.className = "cursor";
    cursor.hidden = true;
    box.append(cursor);
    box.dataset.points = String(c.points.length);
    // When the first chart was on screen, counted from the page's start (for `make bench`);
    // then the sections below it, held back until now, are laid out.
    if (!document.body.dataset.firstChartMs) {
      afterPaint(() => {
        document.body.dataset.firstChartMs = String(Math.round(performance.now()));
        document.body.classList.remove("starting");
      });
    }
    fillChartTable();
  } catch (e) {
    ui.chart = null;
    box.replaceChildren();
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = e && e.code === "no_data" ? "Nothing to show in this range yet." : explain(e);
    box.append(p);
  }
}

/// Every series' value at a date (the nearest point within a day and a half), for the
/// hover readout; the first series is the one hovered.
function valuesAt(ts, first) {
  const c = ui.chart;
  const many = c.series.length > 1;
  return c.series.map((s, k) => {
    const v = k === 0 ? first : nearestValue(s.points, ts);
    return v == null ? null : (many ? s.label + " " : "") + formatValue(v);
  }).filter((t) => t != null);
}

function nearestValue(pts, ts) {
  if (pts.length === 0) return null;
  const i = nearestIn(pts, ts);
  return Math.abs(pts[i][0] - ts) <= 1.5 * 86400 ? pts[i][1] : null;
}

/// The chart's points as a table (for keyboards and screen readers), newest first; filled
/// when opened.
function fillChartTable() {
  const table = $("chart-table");
  const c = ui.chart;
  table.replaceChildren();
  if (!c || !$("chart-table-box").open) return;
  const head = document.createElement("tr");
  for (const t of ["Date", ...c.series.map((s) => s.label)]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = t;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const body = document.createElement("tbody");
  for (const [ts, v] of [...c.points].reverse()) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = fmtDate(ts);
    tr.append(th);
    c.series.forEach((s, k) => {
      const td = document.createElement("td");
      const x = k === 0 ? v : nearestValue(s.points, ts);
      td.textContent = x == null ? "" : formatValue(x);
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(thead, body);
}

function formatValue(v) {
  if (ui.kind === "fat-ratio") return oneDecimal.format(v) + " %";
  if (ui.unit === "st") {
    const tenths = Math.round(v * 14 * 10);
    return Math.floor(tenths / 140) + " st " + oneDecimal.format((tenths % 140) / 10) + " lb";
  }
  return oneDecimal.format(v) + " " + ui.unit;
}

/// Shows the date and value of the weigh-in nearest to a chart x position (in chart pixels).
function showNearest(index) {
  const c = ui.chart;
  if (!c || c.points.length === 0) return;
  const i = Math.max(0, Math.min(c.points.length - 1, index));
  ui.hover = i;
  const [ts, v] = c.points[i];
  const box = $("chart");
  const scale = box.clientWidth / c.width;
  const x = c.area.left + ((ts - c.from) / (c.to - c.from)) * (c.area.right - c.area.left);
  const tip = $("tooltip");
  const date = fmtDate(ts, false);
  tip.textContent = [date, ...valuesAt(ts, v)].join(" · ");
  tip.style.left = box.offsetLeft + x * scale + "px";
  tip.style.top = box.offsetTop + c.area.top * scale + 24 + "px";
  tip.hidden = false;
  const cursor = box.querySelector(".cursor");
  if (cursor) {
    cursor.style.left = x * scale + "px";
    cursor.hidden = false;
  }
}

function nearestIndex(ts) {
  return nearestIn(ui.chart.points, ts);
}

/// The index of the point of `pts` (in time order, not empty) nearest to `ts`.
function nearestIn(pts, ts) {
  let lo = 0, hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pts[mid][0] < ts) lo = mid + 1; else hi = mid;
  }
  if (lo > 0 && Math.abs(pts[lo - 1][0] - ts) < Math.abs(pts[lo][0] - ts)) lo -= 1;
  return lo;
}

function onPointer(ev) {
  const c = ui.chart;
  if (!c || c.points.length === 0) return;
  const box = $("chart");
  const rect = box.getBoundingClientRect();
  const x = ((ev.clientX - rect.left) / rect.width) * c.width;
  if (x < c.area.left || x > c.area.right) return hideHover();
  const ts = c.from + ((x - c.area.left) / (c.area.right - c.area.left)) * (c.to - c.from);
  showNearest(nearestIndex(ts));
}

/// The time (Unix seconds) under the pointer, or null outside the plot.
function chartTime(ev) {
  const c = ui.chart;
  if (!c) return null;
  const rect = $("chart").getBoundingClientRect();
  const x = ((ev.clientX - rect.left) / rect.width) * c.width;
  if (x < c.area.left || x > c.area.right) return null;
  return c.from + ((x - c.area.left) / (c.area.right - c.area.left)) * (c.to - c.from);
}

/// The weigh-in nearest to a time on the chart, with what can be done about it.
async function showPoint(ts) {
  const panel = $("point");
  const c = ui.chart;
  // Within three plot pixels of the click.
  const within = c ? Math.max(3600, Math.round((3 * (c.to - c.from)) / Math.max(1, c.area.right - c.area.left))) : 86400;
  try {
    const r = await invoke("weigh_in_near", { userid: ui.userid, unit: ui.unit, ts: Math.round(ts), within });
    panel.replaceChildren();
    if (!r) { panel.hidden = true; return; }
    const text = document.createElement("span");
    const notes = [r.standing === "excluded" ? "excluded" : r.standing === "awaiting_review" ? "maybe a guest" : "", ...r.anomalies].filter(Boolean);
    text.textContent = `${fmtDate(r.ts)} · ${r.weight}` + (notes.length ? " — " + notes.join("; ") : "");
    panel.dataset.grpid = String(r.grpid);
    panel.append(text);
    const act = (what, done) => change(async () => { await what(); panel.hidden = true; }, done);
    panel.append(...standingButtons(r, act));
    panel.append(button("Close", () => { panel.hidden = true; $("chart").focus(); }));
    panel.hidden = false;
  } catch (e) {
    showMessage(explain(e), "error");
  }
}

function hideHover() {
  $("tooltip").hidden = true;
  const cursor = $("chart").querySelector(".cursor");
  if (cursor) cursor.hidden = true;
}

/// Fills the entry form with one of the person's own weigh-ins, to change it.
function editEntry(r) {
  ui.editing = r.grpid;
  $("entry-title").textContent = "Change the weigh-in of " + fmtDate(r.ts);
  $("entry-weight").value = fieldNumber(toUnit(r.weight_kg), ui.unit === "st" ? 2 : 1);
  $("entry-fat").value = r.fat_ratio == null ? "" : fieldNumber(r.fat_ratio, 1);
  $("entry-at").value = r.local;
  $("entry-add").textContent = "Save changes";
  $("entry-cancel").hidden = false;
  $("entry-weight").focus();
}

function resetEntryForm() {
  ui.editing = null;
  $("entry-title").textContent = "Add a weigh-in";
  for (const id of ["entry-weight", "entry-fat", "entry-at"]) $(id).value = "";
  $("entry-add").textContent = "Add";
  $("entry-cancel").hidden = true;
}

function importSentence(r) {
  if (r.kind === "withings") {
    // The core's own words: how many were added, matched and repeated, and by which rule.
    let t = `${r.summary}; times read as ${r.timezone} (from ${r.timezone_from}).`;
    if (r.ignored_columns.length) t += " Ignored columns: " + r.ignored_columns.join(", ") + ".";
    return t;
  }
  // The core's own words: what was added, what was already here, what was kept over the backup.
  return `${r.summary}.`;
}

async function syncNow() {
  if (ui.syncing || ui.accounts.length === 0) return;
  ui.syncing = true;
  $("sync-button").disabled = true;
  $("cancel-button").hidden = false;
  $("cancel-button").disabled = false;
  $("progress").hidden = false;
  $("progress").classList.add("indeterminate");
  $("progress").removeAttribute("aria-valuenow");
  $("progress-text").textContent = "Contacting Withings…";
  // Said once the screen shows what the sync brought (the chart, figures and health panel).
  let said = "";
  try {
    // Every account: one that fails never stops the others, and each says how it went.
    const results = await invoke("sync", { userid: null });
    const many = results.length > 1;
    const done = results.filter((r) => r.report).map((r) => {
      const p = r.report;
      return (many ? r.label + ": " : "Synced: ") + `${p.added} new, ${p.changed} changed, ${p.removed} removed`;
    });
    const cancelled = results.find((r) => r.error_code === "cancelled");
    if (cancelled) done.push("Sync cancelled: what was downloaded is kept, and the next sync carries on from there");
    said = done.length ? done.join(" · ") + "." : "";
    const failed = results.filter((r) => r.error && r.error_code !== "cancelled");
    if (failed.length) {
      const worst = failed.find((r) => r.error_code !== "offline") || failed[0];
      const text = failed.map((r) => r.label + ": " + explain({ code: r.error_code, message: r.error })).join(" ");
      showMessage(text, worst.error_code === "offline" ? "warn" : "error");
    } else {
      showMessage("");
    }
  } catch (e) {
    showMessage(explain(e), e && e.code === "offline" ? "warn" : "error");
  } finally {
    ui.syncing = false;
    $("sync-button").disabled = false;
    $("cancel-button").hidden = true;
    $("progress").hidden = true;
    $("progress").classList.remove("indeterminate");
    try {
      await refresh();
    } finally {
      $("progress-text").textContent = said;
    }
  }
}

async function connectFlow(run) {
  showMessage("");
  for (const id of ["connect-button", "demo-button", "reconnect-button"]) $(id).disabled = true;
  $("connect-wait").hidden = false;
  $("reconnect-button").textContent = "Waiting for your browser…";
  $("cancel-button").hidden = false;
  $("cancel-button").disabled = false;
  try {
    ui.userid = await run();
    showMessage("Connected as user " + ui.userid + ". Downloading your history…");
    await refresh();
    await syncNow();
  } catch (e) {
    if (e && e.code === "cancelled") showMessage("Connecting was cancelled; nothing was changed.");
    else showMessage(explain(e), "error");
  } finally {
    for (const id of ["connect-button", "demo-button", "reconnect-button"]) $(id).disabled = false;
    $("connect-wait").hidden = true;
    $("reconnect-button").textContent = "Reconnect";
    if (!ui.syncing) $("cancel-button").hidden = true;
  }
}

/// A destructive action waits for a second, explicit click; anything else keeps the data.
function confirmThen(text, yes, action) {
  const box = $("confirm");
  $("confirm-text").textContent = text;
  $("confirm-yes").textContent = yes;
  box.hidden = false;
  $("confirm-no").focus();
  return new Promise((resolve) => {
    const done = (go) => {
      box.hidden = true;
      $("confirm-yes").onclick = $("confirm-no").onclick = null;
      resolve(go ? action() : undefined);
    };
    $("confirm-yes").onclick = () => done(true);
    $("confirm-no").onclick = () => done(false);
  });
}

/// Settings: filled from the core each time the dialog opens.
async function openSettings() {
  try {
    const p = await invoke("preferences", { checkSecret: true });
    $("pref-unit").value = p.unit;
    $("pref-theme").value = p.theme;
    $("pref-launch").checked = p.sync_on_launch;
    $("pref-every").value = p.sync_every;
    $("pref-dir").textContent = p.data_dir;
    $("pref-callback").textContent = p.callback_url;
    $("pref-client-id").value = p.client_id || "";
    $("pref-client-secret").value = "";
    $("pref-client-secret").placeholder = p.client_secret_saved ? "saved in your keychain; type to replace" : "";
    $("pref-secret-state").textContent = p.client_id_from_environment
      ? "The client id comes from HEFT_WITHINGS_CLIENT_ID, which wins over this page."
      : p.client_secret_saved ? "A secret for this client id is in your keychain." : "No secret saved yet.";
    $("settings-result").textContent = "";
    $("settings").showModal();
  } catch (e) {
    showMessage("The settings could not be read: " + explain(e), "error");
  }
}

async function saveSettings() {
  const out = $("settings-result");
  try {
    const p = await invoke("save_preferences", {
      unit: $("pref-unit").value, syncOnLaunch: $("pref-launch").checked,
      syncEvery: $("pref-every").value, theme: $("pref-theme").value,
    });
    const id = $("pref-client-id").value.trim(), secret = $("pref-client-secret").value;
    if (secret) await invoke("credentials", { clientId: id, clientSecret: secret });
    else if (id && id !== (p.client_id || "")) throw { code: "bad_input", message: "enter the secret of the new client id too" };
    applyPreferences(p);
    $("pref-client-secret").value = "";
    out.textContent = "Saved.";
    await refresh();
  } catch (e) {
    out.textContent = explain(e);
  }
}

/// Theme and automatic syncs, as the settings say.
function applyPreferences(p) {
  applyTheme(p.theme);
  clearInterval(ui.timer);
  ui.timer = p.sync_every_minutes ? setInterval(syncNow, p.sync_every_minutes * 60 * 1000) : null;
  document.body.dataset.syncEvery = p.sync_every;
  if (ui.userid) loadChart();
}

function wire() {
  $("credentials-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const clientId = $("client-id").value, clientSecret = $("client-secret").value;
    await connectFlow(async () => {
      if (clientId || clientSecret) await invoke("credentials", { clientId, clientSecret });
      return invoke("connect");
    });
  });
  $("demo-button").addEventListener("click", () => connectFlow(() => invoke("demo")));
  $("sync-button").addEventListener("click", syncNow);
  $("add-button").addEventListener("click", () => {
    $("welcome").hidden = !$("welcome").hidden;
  });
  // Two clicks remove the demo account and its history (no modal dialog needed).
  let armed = null;
  $("remove-demo").addEventListener("click", async () => {
    const b = $("remove-demo");
    if (!armed) {
      b.textContent = "Click again to remove the demo and its history";
      armed = setTimeout(() => { armed = null; b.textContent = "Remove demo"; }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    b.textContent = "Remove demo";
    try {
      await invoke("remove_demo", { userid: ui.userid });
      ui.userid = null;
      showMessage("The demo account and its history were removed.");
      await refresh();
    } catch (e) {
      showMessage(explain(e), "error");
    }
  });
  $("account").addEventListener("change", async (ev) => {
    ui.userid = ev.target.value;
    await refresh();
  });
  for (const [group, key] of [["kind-tabs", "kind"], ["range-tabs", "range"]]) {
    $(group).addEventListener("click", async (ev) => {
      const b = ev.target.closest("button");
      if (!b) return;
      ui[key] = b.dataset[key];
      setSelected(group, "aria-selected", ui[key], key);
      await loadChart();
    });
  }
  $("unit-tabs").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    ui.unit = b.dataset.unit;
    setSelected("unit-tabs", "aria-checked", ui.unit, "unit");
    await invoke("show_unit", { userid: ui.userid, unit: ui.unit }).catch((e) => showMessage("The unit could not be saved: " + explain(e), "error"));
    await refresh();
  });
  $("method").addEventListener("change", (ev) => setMethod(ev.target.value));
  $("show-tabs").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button");
    if (!b) return;
    ui.show = b.dataset.show;
    setSelected("show-tabs", "aria-checked", ui.show, "show");
    await loadRecent();
  });
  $("entry-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const at = $("entry-at").value ? $("entry-at").value.replace("T", " ") : null;
    const fields = { userid: ui.userid, weight: $("entry-weight").value.trim().replace(",", "."), unit: ui.unit, fatRatio: $("entry-fat").value.trim().replace(",", ".") || null, at };
    const editing = ui.editing;
    change(async () => {
      if (editing != null) await invoke("edit_entry", { ...fields, grpid: editing });
      else await invoke("add_entry", fields);
      resetEntryForm();
    }, editing != null ? "Changed your weigh-in." : "Added your weigh-in.");
  });
  $("entry-cancel").addEventListener("click", resetEntryForm);
  $("account-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const goal = $("account-goal").value.trim();
    change(() => invoke("save_account", {
      userid: ui.userid,
      name: $("account-name").value,
      colour: ui.account.colour || ui.colourPicked ? $("account-colour").value : null,
      unit: $("account-unit").value || null,
      goal: goal ? Number(goal.replace(",", ".")) : null,
      goalUnit: ui.unit,
    }), "Saved.");
  });
  $("account-colour").addEventListener("input", () => { ui.colourPicked = true; });
  /// A file chosen in the native dialog, imported; `out` says how it went.
  const importChosen = async (out, userid, timezone) => {
    out.textContent = "Choose the file to import…";
    try {
      const r = await invoke("import_chosen", { userid, timezone });
      out.textContent = r ? importSentence(r) : "";
      if (r) await refresh();
    } catch (e) {
      out.textContent = "Nothing was imported: " + explain(e);
    }
  };
  $("import-button").addEventListener("click", () => importChosen($("import-result"), ui.userid, $("import-tz").value.trim() || null));
  $("welcome-import").addEventListener("click", () => importChosen($("welcome-import-result"), null, null));
  for (const b of document.querySelectorAll("[data-export]")) {
    b.addEventListener("click", async () => {
      const out = $("import-result");
      try {
        const r = await invoke("export_data", { userid: ui.userid, format: b.dataset.export });
        out.textContent = r ? `Exported ${r.items.toLocaleString(ui.locale)} ${b.dataset.export === "json" ? "measurement groups" : "weigh-ins"} to ${r.path}.` : "";
      } catch (e) {
        out.textContent = explain(e);
      }
    });
  }
  for (const g of ["kind-tabs", "range-tabs", "unit-tabs", "show-tabs"]) arrowKeys(g);
  setSelected("kind-tabs", "aria-selected", ui.kind, "kind");
  setSelected("range-tabs", "aria-selected", ui.range, "range");
  setSelected("show-tabs", "aria-checked", ui.show, "show");
  $("chart-table-box").addEventListener("toggle", fillChartTable);
  for (const b of document.querySelectorAll("[data-save-chart]")) {
    b.addEventListener("click", async () => {
      const box = $("chart");
      const width = Math.max(320, Math.round(box.clientWidth || 900));
      try {
        const path = await invoke("save_chart", {
          userid: ui.userid, kind: ui.kind, range: ui.range, unit: ui.unit, dark: isDark(),
          width, height: Math.max(240, Math.round(width * 0.42)), format: b.dataset.saveChart,
        });
        $("chart-saved").textContent = path ? "Saved the chart to " + path + "." : "";
      } catch (e) {
        $("chart-saved").textContent = "The chart was not saved: " + explain(e);
      }
    });
  }
  $("cancel-button").addEventListener("click", () => {
    $("cancel-button").disabled = true;
    $("progress-text").textContent = ui.syncing ? "Stopping after this page…" : "";
    invoke("cancel");
  });
  $("connect-cancel").addEventListener("click", () => invoke("cancel"));
  $("settings-button").addEventListener("click", openSettings);
  $("settings-close").addEventListener("click", () => $("settings").close());
  $("settings-form").addEventListener("submit", (ev) => { ev.preventDefault(); saveSettings(); });
  $("open-folder").addEventListener("click", () => invoke("open_data_folder").catch((e) => { $("settings-result").textContent = explain(e); }));
  $("copy-callback").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("pref-callback").textContent);
      $("settings-result").textContent = "Copied the callback URL.";
    } catch (e) {
      // No clipboard access: select the text so Ctrl+C copies it.
      window.getSelection().selectAllChildren($("pref-callback"));
      $("settings-result").textContent = "Press Ctrl+C to copy the selected URL.";
    }
  });
  $("reconnect-button").addEventListener("click", () => connectFlow(() => invoke("reconnect", { userid: ui.userid })));
  $("disconnect-button").addEventListener("click", () => confirmThen(
    "Disconnect " + accountLabel(ui.account) + "? Heft forgets its tokens; its history stays here and you can reconnect later.",
    "Disconnect",
    () => change(() => invoke("disconnect", { userid: ui.userid, deleteData: false }), "Disconnected; the history is kept."),
  ));
  $("delete-button").addEventListener("click", () => confirmThen(
    "Delete " + accountLabel(ui.account) + " and its whole history from this computer? Withings keeps its own copy; an export first keeps yours.",
    "Delete",
    () => change(async () => { await invoke("disconnect", { userid: ui.userid, deleteData: true }); ui.userid = null; }, "The account and its history were deleted from this computer."),
  ));
  const box = $("chart");
  // Drag across the chart to choose the window of the fat / lean split.
  box.addEventListener("mousedown", (ev) => { ui.drag = chartTime(ev); });
  box.addEventListener("mouseup", async (ev) => {
    const start = ui.drag;
    ui.drag = null;
    const end = chartTime(ev);
    if (start != null && end != null && Math.abs(end - start) < 86400) return showPoint(end);
    if (start == null || end == null) return;
    ui.window = { from: Math.round(Math.min(start, end)), to: Math.round(Math.max(start, end)) };
    await loadSplit();
  });
  box.addEventListener("mousemove", onPointer);
  box.addEventListener("mouseleave", hideHover);
  box.addEventListener("blur", hideHover);
  box.addEventListener("keydown", (ev) => {
    if (!ui.chart || ui.chart.points.length === 0) return;
    const last = ui.chart.points.length - 1;
    const i = ui.hover === undefined ? last : ui.hover;
    if (ev.key === "ArrowLeft") showNearest(i - 1);
    else if (ev.key === "ArrowRight") showNearest(i + 1);
    else if (ev.key === "Enter" && ui.hover !== undefined) showPoint(ui.chart.points[ui.hover][0]);
    else if (ev.key === "Home") showNearest(0);
    else if (ev.key === "End") showNearest(last);
    else return;
    ev.preventDefault();
  });
  darkQuery.addEventListener("change", () => { if (!document.documentElement.dataset.theme) loadChart(); });
  let resizeTimer;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(loadChart, 200);
  });
}

async function main() {
  // Everything the first chart needs is asked for at once: each is a round trip, and the
  // first chart waits for them.
  askEarlyChart();
  const overview = invoke("overview");
  overview.catch(() => {});
  const keychainProblem = invoke("keychain_problem").catch(() => null);
  const preferences = invoke("preferences", { checkSecret: false });
  preferences.catch(() => {});
  wire();
  const listening = [];
  listening.push(listen("sync-progress", (e) => {
    const p = e.payload;
    if (p.resumed) document.body.dataset.resumed = "yes";
    document.body.dataset.progressEvents = String(Number(document.body.dataset.progressEvents || 0) + 1);
    const what = p.phase === "fetching" ? (p.resumed ? "Carrying on with the download" : "Downloading") : p.phase === "reconciling" ? "Checking recent days" : "Done";
    let text = `${what} — ${p.pages} page${p.pages === 1 ? "" : "s"}, ${p.groups.toLocaleString(ui.locale)} measurement groups`;
    const bar = $("progress");
    if (p.done_permille != null) {
      // A first download: the share of the years since the first Withings scale fetched
      // (several date windows at once), and the date back to which everything is stored.
      const share = Math.min(0.99, p.done_permille / 1000);
      bar.classList.remove("indeterminate");
      $("progress-bar").style.width = (100 * share).toFixed(1) + "%";
      bar.setAttribute("aria-valuenow", String(Math.round(100 * share)));
      if (p.reached != null) text += ", everything back to " + fmtDate(p.reached, false);
    } else if (p.phase !== "fetching") {
      bar.classList.remove("indeterminate");
      $("progress-bar").style.width = p.phase === "done" ? "100%" : "99%";
      bar.setAttribute("aria-valuenow", p.phase === "done" ? "100" : "99");
    }
    $("progress-text").textContent = text;
  }));
  listening.push(listen("sync-waiting", (e) => showMessage(explain(e.payload))));
  listening.push(listen("callback-rejected", (e) => {
    document.body.dataset.rejectedCallbacks = String(Number(document.body.dataset.rejectedCallbacks || 0) + 1);
    document.body.dataset.lastRejection = e.payload.message;
    showMessage("An authorization callback was rejected: " + explain(e.payload), "error");
  }));
  listening.push(listen("keychain-problem", (e) => showMessage(explain(e.payload), "error")));
  await Promise.all(listening);
  const keychain = await keychainProblem;
  if (keychain) showMessage(explain(keychain), "error");
  let prefs = { sync_on_launch: true, sync_every_minutes: 60, theme: "system", sync_every: "hourly" };
  try {
    prefs = await preferences;
  } catch (e) {
    showMessage("The settings could not be read (using the defaults): " + explain(e), "error");
  }
  applyTheme(prefs.theme);
  setLocale(prefs.locale);
  let hasAccounts = false;
  try {
    hasAccounts = await refresh(overview);
  } catch (e) {
    showMessage(explain(e), "error");
  }
  applyPreferences(prefs);
  // No chart (the welcome screen, an error): the rest of the page shows now.
  afterPaint(() => document.body.classList.remove("starting"));
  if (hasAccounts && prefs.sync_on_launch) syncNow();
}

main();

// The screening page: one reference at a time; every answer goes straight to the server,
// which writes it to the reviewer's decision file. Text from the server is only ever put in
// the page as text (textContent, text nodes), never as HTML.
"use strict";
(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
  const token = meta("slrflow-page");
  const mode = meta("slrflow-mode");
  const stage = meta("slrflow-stage");
  const $ = (id) => document.getElementById(id);
  const tab = sessionStorage.getItem("slrflow-tab") ||
    Math.random().toString(36).slice(2) + Date.now().toString(36);
  sessionStorage.setItem("slrflow-tab", tab);
  let sampleFirst = sessionStorage.getItem("slrflow-sample") === "1";
  let current = null;
  let criteria = [];
  let colour = {};
  let busy = false;
  let built = false;

  // While an answer is on its way, keys are ignored: they were meant for the reference shown.
  function setBusy(value) {
    busy = value;
    document.body.dataset.busy = value ? "1" : "0";
  }

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST",
      headers: { "content-type": "application/json", "x-slrflow-page": token },
      body: JSON.stringify(body),
    };
    const response = await fetch(path, options);
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function marked(target, parts) {
    target.replaceChildren();
    for (const [text, cid] of parts) {
      if (cid) {
        const mark = el("mark", text, "c" + (colour[cid] ?? 7));
        mark.title = cid;
        target.append(mark);
      } else {
        target.append(document.createTextNode(text));
      }
    }
  }

  function build(state) {
    criteria = state.criteria;
    const answers = $("answers");
    for (const decision of state.decisions) {
      const button = el("button", "");
      button.type = "button";
      button.dataset.decision = decision;
      button.append(document.createTextNode(decision[0].toUpperCase() + decision.slice(1) + " "));
      button.append(el("kbd", decision[0]));
      button.addEventListener("click", () => answer(decision));
      answers.append(button);
    }
    const box = $("criteria");
    criteria.forEach((c, i) => {
      colour[c.id] = i % 8;
      const label = el("label");
      const check = el("input");
      check.type = "checkbox";
      check.value = c.id;
      check.dataset.key = String(i + 1);
      // only criteria have key terms, so only they get the colour their terms are marked in
      const mark = c.kind === "criterion" ? el("mark", "", "swatch c" + (i % 8))
        : el("span", "", "swatch");
      label.append(check, " ", mark, el("kbd", i < 9 ? String(i + 1) : ""), " ",
        el("b", c.id), " " + c.label);
      if (c.text) label.append(el("span", c.text, "text"));
      box.append(label);
    });
    $("blind").textContent = mode === "resolve" ? "resolver: every answer shown" : "";
    if (mode === "resolve") {
      document.querySelector("#progress .counts").hidden = true;
      document.querySelector("#progress .bar").hidden = true;
      $("keys").textContent = "Keys: i include · e exclude · 1-9 criteria · n note (Esc leaves it) · u undo";
    }
    $("undo").addEventListener("click", undo);
    $("sample-toggle").addEventListener("click", toggleSample);
    built = true;
  }

  function progress(p) {
    if (!p) return;
    $("notice").hidden = !p.notice;
    $("notice").textContent = p.notice || "";
    const problems = $("problems");
    problems.replaceChildren(...(p.problems || []).map((t) => el("li", t)));
    problems.hidden = !(p.problems || []).length;
    if (mode === "resolve") return;
    $("n-screened").textContent = p.screened;
    $("n-found").textContent = p.found;
    $("n-maybe").textContent = p.maybe;
    $("n-excluded").textContent = p.excluded;
    $("n-left").textContent = p.left;
    const total = p.screened + p.left;
    $("bar-done").style.width = total ? `${(100 * p.screened) / total}%` : "0";
    if (mode !== "resolve") {
      $("blind").textContent = p.blind ? "blind: other reviewers' decisions hidden"
        : "not blind: other reviewers' decisions shown";
    }
    const stop = p.stopping;
    let advice = stop ? "Stopping estimate: " + stop.advice : "";
    if (stop && stop.screened === 0 && p.screened > 0) {
      advice += " (A reference counts as screened once every reviewer it needs has judged it.)";
    }
    $("stopping").textContent = advice;
    const line = $("sample-line");
    line.hidden = !(p.sample_left > 0 || sampleFirst);
    $("sample-toggle").textContent = sampleFirst
      ? `Showing the random sample first (${p.sample_left} left): back to priority order (s)`
      : `Screen the ${p.sample_left} random reference(s) the estimate asks for first (s)`;
    $("undo").disabled = !p.can_undo;
  }

  function show(ref) {
    current = ref;
    $("error").textContent = "";
    $("reference").hidden = !ref;
    $("done").hidden = !!ref;
    // with nothing left the form goes, but undo stays: the last answer can still be taken back
    $("form").classList.toggle("finished", !ref);
    for (const check of document.querySelectorAll("#criteria input")) check.checked = false;
    $("note").value = "";
    if (!ref) return;
    const f = ref.fields;
    marked($("f-title"), f.title);
    $("f-authors").textContent = f.authors;
    $("f-year").textContent = f.year;
    $("f-journal").textContent = f.journal;
    $("f-doi").textContent = f.doi ? "doi:" + f.doi : "";
    marked($("f-abstract"), f.abstract);
    if (!f.abstract.map((p) => p[0]).join("").trim()) $("f-abstract").textContent = "(no abstract)";
    marked($("f-keywords"), f.keywords);
    $("random-mark").hidden = !ref.random_sample;
    $("why").textContent = ref.top_terms && ref.top_terms.length
      ? "Ranked here for: " + ref.top_terms.join(", ") : "";
    const others = $("others");
    others.hidden = !ref.others;
    others.replaceChildren();
    if (ref.others) {
      others.append(el("b", "Other reviewers: "));
      if (!ref.others.length) others.append("none yet");
      for (const o of ref.others) {
        others.append(el("div", `${o.reviewer}: ${o.decision} ${o.criteria.join("; ")} ${o.note}`));
      }
    }
    fulltext(ref);
    window.scrollTo(0, 0);
  }

  function fulltext(ref) {
    const box = $("fulltext");
    box.hidden = stage !== "full_text";
    if (box.hidden) return;
    const r = ref.retrieval || { status: "", notes: [] };
    $("retrieval").textContent = `Retrieval: ${r.status}` + (r.notes.length ? ` (${r.notes.join("; ")})` : "");
    const list = $("ft-files");
    list.replaceChildren();
    const pdf = $("ft-pdf");
    const pre = $("ft-text");
    pdf.hidden = true;
    pre.hidden = true;
    if (!ref.fulltext.length) list.append(el("li", "No file in fulltext/ for this reference."));
    for (const name of ref.fulltext) {
      const item = el("li");
      const link = el("a", name);
      link.href = "/fulltext/" + encodeURIComponent(name);
      link.target = "_blank";
      link.rel = "noopener";
      item.append(link);
      list.append(item);
    }
    const first = ref.fulltext[0];
    if (!first) return;
    if (first.toLowerCase().endsWith(".pdf")) {
      pdf.src = "/fulltext/" + encodeURIComponent(first);
      pdf.hidden = false;
    } else {
      api("/api/fulltext/" + encodeURIComponent(first)).then((data) => {
        pre.textContent = data.too_large ? "Too large to show here: open the file." : data.text;
        pre.hidden = false;
      }).catch((e) => { pre.textContent = e.message; pre.hidden = false; });
    }
  }

  function chosen() {
    return [...document.querySelectorAll("#criteria input:checked")].map((c) => c.value);
  }

  async function answer(decision) {
    if (busy || !current) return;
    const failed = chosen();
    if (decision === "exclude" && !failed.length) {
      $("error").textContent = "Tick the failed criteria (keys 1-9), then press e.";
      return;
    }
    setBusy(true);
    const body = {
      reference_id: current.reference_id, decision, note: $("note").value,
      criteria: decision === "exclude" ? failed : [], tab, sample: sampleFirst,
    };
    try {
      if (mode === "resolve") {
        const data = await api("/api/settle", body);
        conflicts(data.conflicts);
        $("undo").disabled = false;
        refreshProgress();
      } else {
        const state = await api("/api/decide", body);
        progress(state.progress);
        show(state.reference);
      }
    } catch (e) {
      $("error").textContent = e.message;
    } finally {
      setBusy(false);
    }
  }

  async function undo() {
    if (busy) return;
    setBusy(true);
    try {
      const data = await api("/api/undo", { tab });
      if (data.undone === null) $("error").textContent = "Nothing to undo on this page.";
      else if (mode === "resolve") conflicts(data.conflicts);
      else { progress(data.progress); show(data.reference); }
    } catch (e) {
      $("error").textContent = e.message;
    } finally {
      setBusy(false);
    }
  }

  function conflicts(list) {
    $("stopping").textContent = `Open conflicts at this stage: ${list.length}`;
    const item = list[0];
    show(item ? item.reference : null);
    const votes = $("votes");
    votes.replaceChildren();
    votes.hidden = !item;
    if (!item) {
      $("done").textContent = "No open conflict at this stage.";
      return;
    }
    votes.append(el("p", "Conflict: " + item.conflict));
    const table = el("table");
    const head = el("tr");
    for (const h of ["reviewer", "decision", "criteria", "note", "date"]) head.append(el("th", h));
    table.append(head);
    for (const v of item.votes) {
      const row = el("tr");
      for (const value of [v.reviewer, v.decision, v.criteria.join("; "), v.note, v.date]) {
        row.append(el("td", value));
      }
      table.append(row);
    }
    votes.append(table);
  }

  function toggleSample() {
    sampleFirst = !sampleFirst;
    sessionStorage.setItem("slrflow-sample", sampleFirst ? "1" : "0");
    load();
  }

  async function refreshProgress() {
    try { progress(await api("/api/progress")); } catch (e) { /* the next answer retries */ }
  }

  async function load() {
    try {
      if (mode === "resolve") {
        const data = await api("/api/conflicts");
        if (!built) build(data);
        conflicts(data.conflicts);
        $("undo").disabled = !data.can_undo;
        refreshProgress();
        return;
      }
      const state = await api(`/api/state?tab=${encodeURIComponent(tab)}&sample=${sampleFirst ? 1 : 0}`);
      if (!built) build(state);
      progress(state.progress);
      show(state.reference);
    } catch (e) {
      $("error").textContent = e.message;
    }
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement && target.type === "text") {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === "i") answer("include");
    else if (key === "e") answer("exclude");
    else if (key === "m" && mode !== "resolve") answer("maybe");
    else if (key === "u") undo();
    else if (key === "s" && mode !== "resolve") toggleSample();
    else if (key === "n") { event.preventDefault(); $("note").focus(); }
    else if (/^[1-9]$/.test(key)) {
      const check = document.querySelector(`#criteria input[data-key="${key}"]`);
      if (check) check.checked = !check.checked;
    } else return;
    event.preventDefault();
  });

  setBusy(false);
  load();
  setInterval(refreshProgress, 5000);
})();

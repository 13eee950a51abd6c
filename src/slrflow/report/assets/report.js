// The references of the audit report: list, search, filters and trails. Works offline from the
// file system: the data are script files under assets/data/ (index-NNNN.js: one short row per
// reference; trail-NNNN.js: whole trails, loaded when one is opened). Every value is shown as
// text (textContent), never parsed as HTML.
(function () {
  "use strict";
  const list = document.getElementById("reference-list");
  if (!list) return;
  const total = Number(list.dataset.references);
  const chunks = Number(list.dataset.indexChunks);
  const trailChunk = Number(list.dataset.trailChunk);
  const query = document.getElementById("q");
  const selects = Array.from(document.querySelectorAll("#filters select"));
  const shown = document.getElementById("shown");
  const pager = document.getElementById("pager");
  const PAGE = 50;

  // Index rows: [id, title, authors, year, journal, doi, status, record ids, {filter: "a|b"},
  // abstract words (only in reviews below a size)]
  const rows = new Array(total);
  const searchText = new Array(total);
  const position = new Map(); // reference id and record id -> position
  let loaded = 0;
  const trails = new Map(); // trail chunk number -> array of trails
  const waiting = new Map(); // chunk script src -> [callbacks]
  let matches = [];
  let page = 0;
  let pinned; // the reference a link pointed at: shown first, whatever the search

  function load(src, done) {
    if (waiting.has(src)) {
      waiting.get(src).push(done);
      return;
    }
    waiting.set(src, [done]);
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => waiting.get(src).forEach((f) => f());
    script.onerror = () => {
      list.textContent = "Could not read " + src + ": is the assets folder beside index.html?";
    };
    document.head.appendChild(script);
  }

  window.slrflowIndex = function (number, start, chunk) {
    chunk.forEach((row, i) => {
      const at = start + i;
      rows[at] = row;
      // every word typed must be somewhere in these: ids, title, authors, journal, DOI and,
      // in reviews small enough to carry them, the abstract's words (row[9])
      searchText[at] = [row[0], row[7], row[1], row[2], row[4], row[5], row[9] || ""]
        .join(" ")
        .toLowerCase();
      position.set("ref-" + row[0], at);
      row[7].split(" ").forEach((r) => r && position.set("rec-" + r, at));
    });
    loaded += chunk.length;
  };

  window.slrflowTrails = function (number, chunk) {
    trails.set(number, chunk);
  };

  function pad(n) {
    return String(n).padStart(4, "0");
  }

  function wanted() {
    const words = query.value.toLowerCase().split(/\s+/).filter(Boolean);
    const chosen = selects.filter((s) => s.value).map((s) => [s.dataset.key, s.value]);
    return (at) => {
      const text = searchText[at];
      if (!words.every((w) => text.includes(w))) return false;
      const filters = rows[at][8];
      return chosen.every(([key, value]) => (filters[key] || "").split("|").includes(value));
    };
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function link(prefix, id) {
    const a = el("a", id);
    a.href = "#" + prefix + "-" + id;
    return a;
  }

  const LINKED = { reference_id: "ref", record_id: "rec", record_id_a: "rec", record_id_b: "rec" };

  function table(data, heading, container, rowIds) {
    if (heading) container.appendChild(el("h4", heading));
    if (!data.rows.length) {
      container.appendChild(el("p", "None.", "empty"));
      return;
    }
    const t = el("table", undefined, "small");
    const head = t.createTHead().insertRow();
    data.columns.forEach((c) => head.appendChild(el("th", c)));
    const body = t.createTBody();
    data.rows.forEach((values) => {
      const tr = body.insertRow();
      if (rowIds) tr.id = "rec-" + values[0];
      values.forEach((value, i) => {
        const td = tr.insertCell();
        const prefix = LINKED[data.columns[i]];
        if (prefix && value) {
          value.split(";").map((v) => v.trim()).filter(Boolean).forEach((v, j) => {
            if (j) td.appendChild(document.createTextNode("; "));
            td.appendChild(link(prefix, v));
          });
        } else {
          td.textContent = value;
        }
      });
    });
    container.appendChild(t);
  }

  function fillTrail(details, at, then) {
    if (details.dataset.filled) {
      if (then) then();
      return;
    }
    const number = Math.floor(at / trailChunk);
    const show = () => {
      if (details.dataset.filled) return;
      details.dataset.filled = "1";
      const trail = trails.get(number)[at % trailChunk];
      const box = el("div", undefined, "trail");
      table(trail.records, "Records (export lines)", box, true);
      if (trail.evidence.rows.length) table(trail.evidence, "Evidence for each link", box);
      table(trail.status, "Status", box);
      table(trail.decisions, "Decisions", box);
      if (trail.codes.rows.length) table(trail.codes, "Codes", box);
      if (trail.abstract) {
        box.appendChild(el("h4", "Abstract"));
        box.appendChild(el("p", trail.abstract, "abstract"));
      }
      details.appendChild(box);
      if (then) then();
    };
    if (trails.has(number)) show();
    else load("assets/data/trail-" + pad(number) + ".js", show);
  }

  function article(at) {
    const [id, title, authors, year, journal, doi, status] = rows[at];
    const ref = el("article", undefined, "ref");
    ref.id = "ref-" + id;
    const h3 = el("h3");
    const permalink = link("ref", id);
    permalink.className = "permalink";
    h3.append(permalink, " ", el("span", title || "(no title)", "title"));
    const meta = el("p", authors + (year ? " (" + year + ")" : ""), "meta");
    if (journal) meta.append(". ", el("i", journal));
    if (doi) {
      const a = el("a", "doi:" + doi);
      a.href = "https://doi.org/" + encodeURIComponent(doi);
      a.rel = "noopener noreferrer";
      meta.append(". ", a);
    }
    if (status) meta.append(" ", el("span", status, "status"));
    const details = el("details");
    details.appendChild(el("summary", "Trail"));
    details.addEventListener("toggle", () => details.open && fillTrail(details, at));
    ref.append(h3, meta, details);
    return ref;
  }

  function count() {
    const pages = Math.max(1, Math.ceil(matches.length / PAGE));
    const counting = loaded < total ? " (" + loaded + " of " + total + " loaded)" : "";
    shown.textContent = matches.length + " of " + total + " references" + counting;
    pager.hidden = pages < 2;
    document.getElementById("page").textContent = "page " + (page + 1) + " of " + pages;
  }

  function draw() {
    const pages = Math.max(1, Math.ceil(matches.length / PAGE));
    page = Math.min(page, pages - 1);
    const items = matches.slice(page * PAGE, page * PAGE + PAGE);
    const fragment = document.createDocumentFragment();
    if (pinned !== undefined && !items.includes(pinned)) fragment.appendChild(article(pinned));
    items.forEach((at) => fragment.appendChild(article(at)));
    list.replaceChildren(fragment);
    count();
  }

  function apply() {
    const ok = wanted();
    matches = [];
    for (let at = 0; at < loaded; at++) if (ok(at)) matches.push(at);
    page = 0;
    pinned = undefined;
    draw();
  }

  // A link to a reference (or to one of its records) opens its trail, even when filtered out.
  function openTarget() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!position.has(id)) return false;
    // a search still waiting for the typing to pause is applied first, so that it cannot
    // redraw the list (and unpin the target) a moment later
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
      apply();
    }
    const at = position.get(id);
    const index = matches.indexOf(at);
    if (index >= 0) page = Math.floor(index / PAGE);
    pinned = at;
    draw();
    const ref = document.getElementById("ref-" + rows[at][0]);
    ref.classList.add("targeted");
    const details = ref.querySelector("details");
    details.open = true;
    fillTrail(details, at, () => {
      const target = document.getElementById(id);
      if (target) target.classList.add("targeted");
      (target || ref).scrollIntoView();
    });
    return true;
  }

  let timer;
  query.addEventListener("input", () => {
    // A large review searches once the typing pauses.
    clearTimeout(timer);
    timer = undefined;
    if (total > 20000) {
      timer = setTimeout(() => {
        timer = undefined;
        apply();
      }, 150);
    } else apply();
  });
  selects.forEach((s) => s.addEventListener("change", apply));
  document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("previous").addEventListener("click", () => {
    page = Math.max(0, page - 1);
    draw();
  });
  document.getElementById("next").addEventListener("click", () => {
    page += 1;
    draw();
  });
  window.addEventListener("hashchange", openTarget);

  // The index chunks load one after another; the list shows from the first (small) one on, and
  // search and filters cover each new chunk as it arrives.
  let targetPending = Boolean(location.hash);
  function next(number) {
    if (number >= chunks) {
      list.dataset.ready = "1";
      return;
    }
    const before = loaded;
    load("assets/data/index-" + pad(number) + ".js", () => {
      const ok = wanted();
      for (let at = before; at < loaded; at++) if (ok(at)) matches.push(at);
      const onPage = list.querySelectorAll("article.ref").length;
      if (targetPending && openTarget()) targetPending = false;
      else if (onPage < PAGE + (pinned === undefined ? 0 : 1)) draw();
      else count();
      // let the browser paint (and answer a click) before the next chunk is read
      requestAnimationFrame(() => setTimeout(() => next(number + 1), 0));
    });
  }
  if (total) next(0);
  else {
    list.replaceChildren(el("p", "No references.", "empty"));
    list.dataset.ready = "1";
  }
})();

// Search and filter the references of the audit report. Works offline from the file system;
// reads only data-* attributes the page was built with and never writes HTML.
(function () {
  "use strict";
  const list = document.getElementById("reference-list");
  if (!list) return;
  const refs = Array.from(list.querySelectorAll("article.ref"));
  const query = document.getElementById("q");
  const selects = Array.from(document.querySelectorAll("#filters select"));
  const shown = document.getElementById("shown");

  function matches(ref, words, wanted) {
    const text = ref.dataset.search || "";
    if (!words.every((w) => text.includes(w))) return false;
    return wanted.every(([key, value]) => (ref.dataset[key] || "").split("|").includes(value));
  }

  function apply() {
    const words = query.value.toLowerCase().split(/\s+/).filter(Boolean);
    const wanted = selects.filter((s) => s.value).map((s) => [s.dataset.key, s.value]);
    let count = 0;
    for (const ref of refs) {
      const ok = matches(ref, words, wanted);
      ref.hidden = !ok;
      if (ok) count += 1;
    }
    shown.textContent = count + " of " + refs.length + " references";
  }

  // A link to a reference (or to one of its records) opens its trail, even when filtered out.
  function openTarget() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    const target = document.getElementById(id);
    if (!target) return;
    const ref = target.closest("article.ref");
    if (!ref) return;
    ref.hidden = false;
    refs.forEach((r) => r.classList.toggle("targeted", r === ref));
    const details = ref.querySelector("details");
    if (details) details.open = true;
    target.classList.add("targeted");
    ref.scrollIntoView();
  }

  query.addEventListener("input", apply);
  selects.forEach((s) => s.addEventListener("change", apply));
  document.getElementById("filters").addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();

// The New comparison page: each chosen file (or pasted text) is uploaded at once and comes back
// with its text extracted, its title and its language told; the translator may change those, then
// Compare adds the comparison and follows its preparation (stage, counts, time left, cancel) until
// the first pair's page opens. Texts go into the page with textContent only (docs/api.md).
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const message = document.getElementById("message");
  const compare = document.getElementById("compare");
  const hint = document.getElementById("compare-hint");
  const existing = document.getElementById("source-existing");
  const uploads = { source: [], rendering: [] }; // {card, upload, pending}
  let job = null;

  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  function ready() {
    const source = (existing && existing.value) || uploads.source.length === 1;
    const all = uploads.source.concat(uploads.rendering);
    const pending = all.some((u) => u.pending);
    const unnamed = all.some((u) => !u.pending && !u.card.querySelector(".upload-language").value);
    const ok = source && uploads.rendering.length > 0 && !pending && !unnamed && !job;
    compare.disabled = !ok;
    hint.textContent = pending ? "Reading the files…" : unnamed ? "Choose the language of each text."
      : ok ? "" : "Choose a source and at least one rendering.";
  }

  function card(side, name) {
    const node = document.getElementById("upload-card").content.firstElementChild.cloneNode(true);
    node.querySelector(".upload-name").textContent = name;
    node.querySelector(".upload-format").textContent = "reading…";
    node.querySelector(".upload-language").addEventListener("change", ready);
    document.getElementById(`${side}-uploads`).appendChild(node);
    return node;
  }

  async function send(side, form, name) {
    if (side === "source") {
      uploads.source.forEach((u) => u.card.remove());
      uploads.source = [];
    }
    const entry = { card: card(side, name), upload: null, pending: true };
    uploads[side].push(entry);
    entry.card.querySelector(".upload-drop").addEventListener("click", () => {
      entry.card.remove();
      uploads[side] = uploads[side].filter((u) => u !== entry);
      ready();
    });
    ready();
    try {
      const res = await fetch("/api/uploads", { method: "POST", headers: { "X-CSRF-Token": csrf }, body: form });
      const data = await res.json().catch(() => ({ message: res.statusText }));
      if (!res.ok) throw new Error(data.message || res.statusText);
      entry.upload = data;
      const c = entry.card;
      c.querySelector(".upload-format").textContent =
        `${data.format_name}, ${data.paragraphs} paragraphs, ${data.characters} characters`;
      c.querySelector(".upload-title").value = data.title;
      c.querySelector(".upload-language").value = data.language || "";
      c.querySelector(".upload-note").textContent = data.language
        ? `detected (${Math.round(data.confidence * 100)}%)` : data.language_note;
      c.querySelector(".upload-preview").textContent = data.preview;
      c.dataset.state = "read";
    } catch (err) {
      entry.card.remove();
      uploads[side] = uploads[side].filter((u) => u !== entry);
      say(`${name}: ${err.message}`, "error");
    }
    entry.pending = false;
    ready();
  }

  function sendFiles(side, input) {
    Array.from(input.files).forEach((file) => {
      const form = new FormData();
      form.append("file", file, file.name);
      send(side, form, file.name);
    });
    input.value = "";
  }

  function sendText(side, area) {
    const text = area.value.trim();
    if (!text) return say("Paste a text first.", "error");
    const form = new FormData();
    form.append("text", text);
    form.append("name", side === "source" ? "pasted-source" : `pasted-rendering-${uploads.rendering.length + 1}`);
    send(side, form, "pasted text");
    area.value = "";
  }

  document.getElementById("source-file").addEventListener("change", (e) => sendFiles("source", e.target));
  document.getElementById("rendering-files").addEventListener("change", (e) => sendFiles("rendering", e.target));
  document.getElementById("source-paste").addEventListener("click", () => sendText("source", document.getElementById("source-text")));
  document.getElementById("rendering-paste").addEventListener("click", () => sendText("rendering", document.getElementById("rendering-text")));
  if (existing) existing.addEventListener("change", ready);

  function spec(u) {
    const c = u.card;
    return { upload: u.upload.token, title: c.querySelector(".upload-title").value,
             language: c.querySelector(".upload-language").value };
  }

  function seconds(s) {
    return s < 60 ? `${Math.ceil(s)} s` : `${Math.ceil(s / 60)} min`;
  }

  function show(view) {
    const bar = document.getElementById("progress-bar");
    document.getElementById("progress-pair").textContent =
      view.pairs.length > 1 ? `pair ${view.pair_number} of ${view.pairs.length}: ${view.pair}` : view.pair;
    const share = view.total ? view.done / view.total : 0;
    const stages = ["segment", "translate", "encode", "align", "write"];
    const at = Math.max(0, stages.indexOf(view.stage));
    const perPair = (at + share) / stages.length;
    bar.value = Math.round(100 * ((view.pair_number - 1) + perPair) / view.pairs.length);
    let text = view.stage_name;
    if (view.stage === "encode") text += `: ${view.done} of ${view.total} sentences`;
    if (view.eta_seconds !== null) text += `, about ${seconds(view.eta_seconds)} left`;
    document.getElementById("progress-text").textContent = text;
    document.getElementById("progress").dataset.state = view.state;
  }

  async function follow(first) {
    while (true) {
      const res = await fetch(`/api/jobs/${job.id}`);
      const view = await res.json();
      if (!res.ok) return say(view.message, "error");
      show(view);
      if (view.state === "done") {
        window.location.assign(first);
        return;
      }
      if (view.state === "failed" || view.state === "cancelled") {
        document.getElementById("cancel").hidden = true;
        say(view.state === "failed" ? `Preparing failed: ${view.error}. The texts were added; prepare the pair from its page.`
          : "Cancelled. The texts were added, not prepared: prepare or remove them from the list.", view.state === "failed" ? "error" : "");
        const link = document.createElement("a");
        link.href = "/";
        link.textContent = " Go to the list.";
        message.appendChild(link);
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  document.getElementById("cancel").addEventListener("click", async () => {
    if (!job) return;
    await fetch(`/api/jobs/${job.id}/cancel`, { method: "POST", headers: { "X-CSRF-Token": csrf } });
  });

  document.getElementById("new-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (compare.disabled) return;
    const source = existing && existing.value ? { document: existing.value } : spec(uploads.source[0]);
    const body = { source, renderings: uploads.rendering.map(spec) };
    compare.disabled = true;
    say("");
    try {
      const res = await fetch("/api/comparisons", {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
      const data = await res.json().catch(() => ({ message: res.statusText }));
      if (!res.ok) throw new Error(data.message || res.statusText);
      job = data.job;
      document.getElementById("new-form").hidden = true;
      document.getElementById("progress").hidden = false;
      show(job);
      follow(data.pairs[0].url);
    } catch (err) {
      say(err.message, "error");
      ready();
    }
  });
  ready();
})();

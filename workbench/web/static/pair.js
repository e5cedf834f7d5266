// The pair page's behaviour: keyboard navigation, review actions, notes, alignment correction,
// undo/redo (each author's own), dismissing fidelity findings with a reason, the Names panel's
// decisions on the pair's name map, and the translation memory's matches for the focused bead. Every action is a call to the JSON API (docs/api.md); after it the page fetches the
// rows again as an HTML fragment drawn by the server's template, so no text is ever put into the
// page as HTML here (messages use textContent).
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const body = document.getElementById("pair-body");
  const message = document.getElementById("message");
  const AUTHOR_KEY = "workbench.author";
  let current = null; // key of the focused bead
  let unsavedNote = null; // {text, category} of a note the server did not take
  let unsavedReason = null; // {key, kind, fkey, reason} of a dismissal the server did not take
  const picked = { source: null, rendering: null };

  const state = () => document.getElementById("pair-state").dataset;
  const pairId = () => state().pair;
  const rows = () => Array.from(body.querySelectorAll("tr.bead"));
  const rowOf = (key) => rows().find((r) => r.dataset.key === key) || null;
  // The line of fidelity findings drawn under a bead's row, when it has any (data-bead: its key).
  const checksOf = (key) => Array.from(body.querySelectorAll("tr.checks-row")).find((r) => r.dataset.bead === key) || null;

  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  function author() {
    return localStorage.getItem(AUTHOR_KEY) || "";
  }

  function showAuthor() {
    document.getElementById("author-name").textContent = author() || "(not set)";
  }

  function askAuthor() {
    return new Promise((resolve) => {
      const dlg = document.getElementById("author-dialog");
      const input = document.getElementById("author-input");
      input.value = author();
      dlg.returnValue = "";
      dlg.addEventListener("close", function done() {
        dlg.removeEventListener("close", done);
        const name = input.value.trim();
        if (dlg.returnValue === "save" && name) {
          localStorage.setItem(AUTHOR_KEY, name);
          showAuthor();
        }
        resolve(author());
      });
      dlg.showModal();
      input.focus();
    });
  }

  function focusRow(key, scroll) {
    rows().forEach((r) => r.classList.toggle("current", r.dataset.key === key));
    const moved = current !== key;
    current = key;
    const row = rowOf(key);
    if (row && scroll !== false) row.scrollIntoView({ block: "nearest" });
    if (moved || !memory.shown) showMemory(key);
  }

  // The translation memory's best matches for the focused bead (docs/api.md). Only the answer for
  // the bead focused now is drawn: an earlier request that answers late is ignored.
  const memory = { key: null, matches: [], shown: false, pending: null };

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  async function showMemory(key) {
    if (memory.pending) memory.pending.abort();
    memory.key = key;
    memory.matches = [];
    memory.shown = true;
    const list = document.getElementById("memory-matches");
    const none = document.getElementById("memory-none");
    const row = key && rowOf(key);
    document.getElementById("memory-bead").textContent = row ? "for #" + (Number(row.dataset.index) + 1) : "";
    let answer = null;
    if (key) {
      const pending = memory.pending = new AbortController();
      try {
        const res = await fetch("/api/pairs/" + encodeURIComponent(pairId()) + "/beads/" +
          encodeURIComponent(key) + "/memory", { credentials: "same-origin", signal: pending.signal });
        if (res.ok) answer = await res.json();
      } catch (err) {
        answer = null;
      }
      if (pending.signal.aborted) return; // an action or another bead took its place
      memory.pending = null;
    }
    if (memory.key !== key) return;
    memory.matches = answer ? answer.matches : [];
    list.replaceChildren(...memory.matches.map((m) => {
      const li = el("li", "m-kind-" + m.kind);
      li.append(el("span", "m-score", m.kind === "exact" ? "100 exact" : Math.round(m.score) + " " + m.kind));
      li.append(el("span", "m-rendering", m.rendering_text));
      const src = el("span", "m-source");
      m.diff.source.forEach(([text, tag]) => src.append(tag === "equal" ? document.createTextNode(text) : el(tag === "added" ? "ins" : "mark", "d-" + tag, text)));
      li.append(src);
      // Words of this bead's source that the match lacks or has otherwise: named apart, since
      // what the match lacks has no place in its source to be marked.
      const own = m.diff.query.filter(([, tag]) => tag !== "equal").map(([text]) => text.trim());
      if (own.length) {
        const q = el("span", "m-query", "this bead's source differs in: ");
        own.forEach((w, i) => q.append(el("mark", "d-replaced", w), i + 1 < own.length ? " · " : ""));
        li.append(q);
      }
      li.append(el("span", "m-origin", [m.pair_id || m.pair, m.bead, m.reviewer, m.time.slice(0, 10)].filter((x) => x).join(" · ")));
      li.dataset.bead = m.bead;
      return li;
    }));
    none.hidden = memory.matches.length > 0;
    none.textContent = answer ? "No approved translation of a similar source yet." : "The translation memory could not be read.";
    document.getElementById("memory").dataset.key = key || "";
  }

  // The best match's rendering into a note on the bead, saying where it came from.
  function copyMatch() {
    const m = memory.key === current ? memory.matches[0] : null;
    if (!m) {
      say("The translation memory has no match for this bead.", "error");
      return;
    }
    const from = (m.pair_id || m.pair) + " " + m.bead + (m.reviewer ? ", " + m.reviewer : "");
    const text = m.rendering_text + " [memory: " + m.kind + " " + Math.round(m.score) + ", " + from + "]";
    return call(beadPath(current, "annotations"), { text: text, category: "" }, current, []);
  }

  function move(delta) {
    const all = rows();
    if (!all.length) return;
    let i = all.findIndex((r) => r.dataset.key === current);
    // Past either end of the page: on to the next or previous page.
    const beyond = document.getElementById(delta > 0 ? "next-page" : "prev-page");
    if (i >= 0 && beyond && (i + delta >= all.length || i + delta < 0)) {
      location.href = beyond.href;
      return;
    }
    i = i < 0 ? 0 : Math.min(all.length - 1, Math.max(0, i + delta));
    focusRow(all[i].dataset.key);
  }

  function updateToolbar() {
    const s = state();
    const undo = document.getElementById("undo");
    const redo = document.getElementById("redo");
    undo.disabled = s.canUndo !== "1";
    redo.disabled = s.canRedo !== "1";
    undo.title = s.undo ? "Undo " + s.undo + " (u)" : "Nothing to undo";
    redo.title = s.redo ? "Redo " + s.redo + " (Shift+U)" : "Nothing to redo";
    const ok = picked.source !== null && picked.rendering !== null;
    document.getElementById("link").disabled = !ok;
    const parts = [];
    if (picked.source !== null) parts.push("source sentence " + picked.source);
    if (picked.rendering !== null) parts.push("rendering sentence " + picked.rendering);
    document.getElementById("picked").textContent = parts.length
      ? "Picked: " + parts.join(" and ") + (ok ? " — press l or Link." : ".")
      : "Click a source and a rendering sentence to pick them for linking.";
    body.querySelectorAll(".sent").forEach((el) => {
      const id = el.dataset.id === undefined ? null : Number(el.dataset.id);
      el.classList.toggle("picked", id !== null && picked[el.dataset.side] === id);
    });
  }

  function rowsUrl() {
    const params = new URLSearchParams(location.search);
    if (author()) params.set("author", author());
    const q = params.toString();
    return location.pathname + "/rows" + (q ? "?" + q : "");
  }

  async function refresh(focusKey, index) {
    const res = await fetch(rowsUrl(), {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (!res.ok) {
      say("Could not reload the rows (" + res.status + "). Reload the page.", "error");
      return;
    }
    body.innerHTML = await res.text();
    const all = rows();
    let key = focusKey && rowOf(focusKey) ? focusKey : null;
    if (!key && all.length) {
      const near = all.find((r) => Number(r.dataset.index) >= (index || 0));
      key = (near || all[all.length - 1]).dataset.key;
    }
    if (key) focusRow(key);
    updateToolbar();
  }

  // The revisions of the beads an action touches, as this page shows them: the server refuses the
  // action (409) when one of them was changed meanwhile, and only then.
  function revisions(keys) {
    const out = {};
    keys.forEach((key) => {
      const row = key && rowOf(key);
      if (row) out[key] = row.dataset.rev;
    });
    return out;
  }

  // Every change is signed: without a name the page asks for one first and sends nothing.
  async function signed() {
    if (author()) return author();
    const name = await askAuthor();
    if (!name) say("Set your name first: every change is signed with it.", "error");
    return name;
  }

  const DONE = { do: "Saved: ", undo: "Undone: ", redo: "Redone: " };

  async function call(path, payload, focusAfter, touched, known) {
    // A memory lookup still on its way is for the beads as they were: the refresh asks again.
    if (memory.pending) {
      memory.pending.abort();
      memory.shown = false;
    }
    const row = current ? rowOf(current) : null;
    const index = row ? Number(row.dataset.index) : 0;
    const name = await signed();
    if (!name) return null;
    const beads = Object.assign({}, known || {}, revisions(touched || []));
    const data = Object.assign({ author: name, beads: beads }, payload || {});
    let res;
    try {
      res = await fetch("/api/pairs/" + encodeURIComponent(pairId()) + path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(data),
      });
    } catch (err) {
      say("The server did not answer: " + err, "error");
      return null;
    }
    const answer = await res.json().catch(() => ({ message: "HTTP " + res.status }));
    if (res.status === 409) {
      say(answer.message + ". The page shows the current state; your change was not applied.", "error");
      await refresh(current, index);
      return null;
    }
    if (!res.ok) {
      say(answer.message || "HTTP " + res.status, "error");
      return null;
    }
    say(answer.summary ? (DONE[answer.step] || DONE.do) + answer.summary +
        " (revision " + answer.revision + ")" : "Saved.", "ok");
    const keys = (answer.beads || []).map((b) => b.key);
    await refresh(focusAfter === undefined ? (keys[0] || current) : focusAfter, index);
    return answer;
  }

  const beadPath = (key, action) => "/beads/" + encodeURIComponent(key) + "/" + action;

  function setStatus(status) {
    if (!current) return;
    const key = current;
    return call(beadPath(key, "status"), { status: status }, key, [key]);
  }

  async function openNote() {
    if (!current) return;
    const dlg = document.getElementById("note-dialog");
    document.getElementById("note-bead").textContent = "#" + (Number(rowOf(current).dataset.index) + 1);
    document.getElementById("author-ask").hidden = author() !== "";
    document.getElementById("note-author").value = author();
    // A note the server did not take is offered again, never typed twice.
    document.getElementById("note-text").value = unsavedNote ? unsavedNote.text : "";
    if (unsavedNote) document.getElementById("note-category").value = unsavedNote.category;
    dlg.dataset.key = current;
    dlg.returnValue = "";
    dlg.showModal();
    document.getElementById("note-text").focus();
  }

  async function saveNote() {
    const dlg = document.getElementById("note-dialog");
    const key = dlg.dataset.key;
    const given = document.getElementById("note-author").value.trim();
    if (given && !author()) {
      localStorage.setItem(AUTHOR_KEY, given);
      showAuthor();
    }
    const note = {
      text: document.getElementById("note-text").value,
      category: document.getElementById("note-category").value,
    };
    unsavedNote = note;
    let name = author();
    if (!name) name = await askAuthor();
    if (!name) {
      say("A note needs your name. Press n to write it again: its text is kept.", "error");
      return;
    }
    // A note is added to the bead as it is now: no revision, so it never meets a conflict.
    const answer = await call(beadPath(key, "annotations"), Object.assign({ author: name }, note), key, []);
    if (answer) unsavedNote = null;
    else message.textContent += " Your note was not saved: press n to write it again, its text is kept.";
  }

  function linkPicked() {
    if (picked.source === null || picked.rendering === null) {
      say("Pick a source sentence and a rendering sentence first (click them).", "error");
      return;
    }
    const payload = { source: picked.source, rendering: picked.rendering };
    const holder = (side, id) => {
      const el = body.querySelector('.sent[data-side="' + side + '"][data-id="' + id + '"]');
      return el ? el.closest("tr.bead").dataset.key : null;
    };
    const touched = [holder("source", picked.source), holder("rendering", picked.rendering)];
    picked.source = picked.rendering = null;
    return call("/link", payload, undefined, touched);
  }

  // A rendering sentence the aligner left unmatched may carry its closest source sentence: link the
  // two. The bead holding that source sentence is touched too; its revision comes with the row
  // (it may stand on another page, or be filtered out of this one).
  function linkClosest() {
    const row = current && rowOf(current);
    if (!row || row.dataset.closestSource === undefined) {
      say("This bead has no suggested source sentence.", "error");
      return;
    }
    const d = row.dataset;
    const payload = { source: Number(d.closestSource), rendering: Number(d.closestRendering) };
    const known = {};
    if (d.closestBead) known[d.closestBead] = d.closestRev;
    picked.source = picked.rendering = null;
    return call("/link", payload, undefined, [current, d.closestBead], known);
  }

  // Where the sentence picked on `side` stands in bead `row` (0 = its first sentence there), or
  // -1 when the picked sentence is not in that bead.
  function pickedIn(row, side) {
    const ids = Array.from(row.querySelectorAll('.sent[data-side="' + side + '"]')).map((e) => Number(e.dataset.id));
    return picked[side] === null ? -1 : ids.indexOf(picked[side]);
  }

  // Unlink the bead; with one of its sentences picked, take only that sentence out of it.
  function unlinkCurrent() {
    const row = current && rowOf(current);
    if (!row) return;
    const payload = {};
    ["source", "rendering"].forEach((side) => {
      if (pickedIn(row, side) >= 0) payload[side] = picked[side];
    });
    if (Object.keys(payload).length > 1) {
      say("Pick the one sentence to take out of the bead (or none, to unlink it whole).", "error");
      return;
    }
    picked.source = picked.rendering = null;
    return call(beadPath(current, "unlink"), payload, undefined, [current]);
  }

  function splitCurrent() {
    const row = current && rowOf(current);
    if (!row) return;
    const nS = Number(row.dataset.nSource), nT = Number(row.dataset.nRendering);
    if (row.dataset.splittable !== "1" || nS + nT < 3) {
      say("This bead cannot be split: it has too few sentences, or its sentence boundaries are not recorded.", "error");
      return;
    }
    // The second part starts at the sentences picked in this bead; a side with none picked is
    // left to the server, which restores the beads a merge joined (or asks for a pick).
    const payload = {};
    ["source", "rendering"].forEach((side) => {
      const i = pickedIn(row, side);
      if (i >= 0) payload[side + "_at"] = i;
    });
    picked.source = picked.rendering = null;
    return call(beadPath(current, "split"), payload, undefined, [current]);
  }

  // The bead after `key` in display order, when this page shows it (a filtered or sorted page
  // may not): merge-next then also checks that one's revision.
  function nextKey(key) {
    const row = rowOf(key);
    if (!row) return null;
    const next = rows().find((r) => Number(r.dataset.index) === Number(row.dataset.index) + 1);
    return next ? next.dataset.key : null;
  }

  // Fidelity findings: each is dismissed with a reason (a note on the bead, docs/api.md), or
  // restored. The reason typed is kept until the server takes it.
  const checkPath = (key, li, action) => beadPath(key, "checks/" + encodeURIComponent(li.dataset.kind) +
    "/" + encodeURIComponent(li.dataset.fkey) + "/" + action);

  function openDismiss(key, li) {
    if (!li) {
      say("This bead has no open finding to dismiss.", "error");
      return;
    }
    const dlg = document.getElementById("dismiss-dialog");
    document.getElementById("dismiss-bead").textContent = "#" + (Number(rowOf(key).dataset.index) + 1);
    document.getElementById("dismiss-what").textContent = li.querySelector(".check-kind").textContent +
      ": " + li.querySelector(".explanation").textContent;
    const same = unsavedReason && unsavedReason.key === key && unsavedReason.fkey === li.dataset.fkey;
    document.getElementById("dismiss-reason").value = same ? unsavedReason.reason : "";
    dlg.dataset.key = key;
    dlg.dataset.kind = li.dataset.kind;
    dlg.dataset.fkey = li.dataset.fkey;
    dlg.returnValue = "";
    dlg.showModal();
    document.getElementById("dismiss-reason").focus();
  }

  async function saveDismiss() {
    const d = document.getElementById("dismiss-dialog").dataset;
    const reason = document.getElementById("dismiss-reason").value;
    unsavedReason = { key: d.key, kind: d.kind, fkey: d.fkey, reason: reason };
    const answer = await call(checkPath(d.key, { dataset: d }, "dismiss"), { reason: reason }, d.key, [d.key]);
    if (answer) unsavedReason = null;
    else if (message.className === "error") message.textContent += " Press d to try again: the reason is kept.";
  }

  function firstOpen(key) {
    const line = key && checksOf(key);
    return line ? line.querySelector("li.check:not(.dismissed)") : null;
  }

  // The next (or previous) bead on this page with a finding not dismissed.
  function moveToFinding(delta) {
    const all = rows();
    const i = all.findIndex((r) => r.dataset.key === current);
    for (let k = i + delta; k >= 0 && k < all.length; k += delta) {
      if (firstOpen(all[k].dataset.key)) {
        focusRow(all[k].dataset.key);
        return;
      }
    }
    say("No bead " + (delta > 0 ? "below" : "above") + " on this page has an open finding.", "error");
  }

  function act(name) {
    if (!current && name !== "undo" && name !== "redo" && name !== "replay") return;
    switch (name) {
      case "approved": case "rejected": case "needs-work": case "unreviewed": return setStatus(name);
      case "note": return openNote();
      case "dismiss": return openDismiss(current, firstOpen(current));
      case "unlink": return unlinkCurrent();
      case "merge": return call(beadPath(current, "merge-next"), {}, undefined, [current, nextKey(current)]);
      case "split": return splitCurrent();
      case "closest": return linkClosest();
      case "memory": return copyMatch();
      case "undo": return call("/undo", {}, null);
      case "redo": return call("/redo", {}, null);
      case "replay": return call("/history/replay", {}, null);
    }
  }

  // The MT column: collapsed when the pair has no MT (the server marks #pair-body so), opened or
  // closed again by its heading; #pair-body outlives the rows drawn into it, and so does the choice.
  body.addEventListener("click", (ev) => {
    if (ev.target.closest("#mt-toggle")) body.classList.toggle("mt-collapsed");
  });

  body.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-act]");
    const line = ev.target.closest("tr.checks-row");
    const row = line ? rowOf(line.dataset.bead) : ev.target.closest("tr.bead");
    if (row) focusRow(row.dataset.key, false);
    const li = btn && btn.closest("li.check");
    if (li && row) {
      const key = row.dataset.key;
      if (btn.dataset.act === "dismiss") openDismiss(key, li);
      else call(checkPath(key, li, "undismiss"), {}, key, [key]);
      return;
    }
    if (btn) {
      act(btn.dataset.act);
      return;
    }
    const sent = ev.target.closest(".sent");
    if (sent && sent.dataset.id !== undefined) {
      const id = Number(sent.dataset.id);
      picked[sent.dataset.side] = picked[sent.dataset.side] === id ? null : id;
      updateToolbar();
    }
  });

  // A finding's line lights up its marks in the row above it.
  function lightUp(ev, on) {
    const li = ev.target.closest("li.check");
    const line = li && li.closest("tr.checks-row");
    const row = line && rowOf(line.dataset.bead);
    if (!row) return;
    row.querySelectorAll(".check-mark").forEach((m) => {
      if (m.dataset.checks.split(" ").includes(li.dataset.check)) m.classList.toggle("hot", on);
    });
  }
  body.addEventListener("mouseover", (ev) => lightUp(ev, true));
  body.addEventListener("mouseout", (ev) => lightUp(ev, false));

  // The Names panel: a link confirmed, broken or its decision withdrawn is an action of its own
  // (undone like any other); the panel is drawn by the server, so the page is loaded again.
  async function decideName(source, rendering, state) {
    const answer = await call("/names", { source: source, rendering: rendering, state: state }, current);
    if (answer) location.reload();
  }
  const names = document.getElementById("names");
  names.addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-name-act]");
    const row = btn && btn.closest("tr.name-link");
    if (row) decideName(row.dataset.source, row.dataset.rendering, btn.dataset.nameAct);
  });
  const nameAdd = document.getElementById("name-add");
  if (nameAdd) nameAdd.addEventListener("submit", (ev) => {
    ev.preventDefault();
    decideName(document.getElementById("name-source").value, document.getElementById("name-rendering").value, "confirmed");
  });
  if (sessionStorage.getItem("workbench.names-open") === "1") names.open = true;
  names.addEventListener("toggle", () => sessionStorage.setItem("workbench.names-open", names.open ? "1" : "0"));

  document.getElementById("undo").addEventListener("click", () => act("undo"));
  document.getElementById("redo").addEventListener("click", () => act("redo"));
  document.getElementById("link").addEventListener("click", linkPicked);
  document.getElementById("help-open").addEventListener("click", () => document.getElementById("help").showModal());
  // Undo is per author: another name has another history.
  document.getElementById("author-change").addEventListener("click", () => askAuthor().then(() => refresh(current)));
  document.getElementById("note-text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      document.getElementById("note-dialog").close("save");
    }
  });
  document.getElementById("note-cancel").addEventListener("click", () => document.getElementById("note-dialog").close());
  document.getElementById("dismiss-cancel").addEventListener("click", () => document.getElementById("dismiss-dialog").close());
  document.getElementById("dismiss-dialog").addEventListener("close", (ev) => {
    if (ev.target.returnValue === "save") saveDismiss();
  });
  document.getElementById("note-dialog").addEventListener("close", (ev) => {
    if (ev.target.returnValue === "save") saveNote();
  });
  // The triage bar is drawn with the rows (its counts change with them): listen on the rows' box.
  body.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.closest("#triage") && (t.tagName === "SELECT" || t.type === "checkbox")) t.form.submit();
  });

  document.addEventListener("keydown", (ev) => {
    if (document.querySelector("dialog[open]")) return; // dialogs handle their own keys (Esc)
    const t = ev.target;
    if (t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      if (ev.key === "Escape") t.blur();
      return;
    }
    if (ev.altKey || ev.metaKey) return;
    if (ev.ctrlKey) {
      const k = ev.key.toLowerCase();
      if (k === "z" && !ev.shiftKey) { ev.preventDefault(); act("undo"); }
      else if (k === "y" || (k === "z" && ev.shiftKey)) { ev.preventDefault(); act("redo"); }
      return;
    }
    const go = (id) => { const a = document.getElementById(id); if (a) location.href = a.href; };
    const keys = {
      j: () => move(1), ArrowDown: () => move(1), k: () => move(-1), ArrowUp: () => move(-1),
      a: () => act("approved"), r: () => act("rejected"), w: () => act("needs-work"),
      0: () => act("unreviewed"), n: () => act("note"), d: () => act("dismiss"),
      f: () => moveToFinding(1), F: () => moveToFinding(-1), l: linkPicked, x: () => act("unlink"),
      m: () => act("merge"), s: () => act("split"), c: () => act("closest"), t: () => act("memory"), u: () => act("undo"), U: () => act("redo"),
      "]": () => go("next-page"), "[": () => go("prev-page"),
      "/": () => document.getElementById("search").focus(),
      "?": () => document.getElementById("help").showModal(),
    };
    const fn = keys[ev.key];
    if (fn) {
      ev.preventDefault();
      fn();
    }
  });

  async function start() {
    showAuthor();
    // The server drew the page without knowing whose undo history to show: draw the rows again
    // with this browser's author name.
    if (author()) await refresh(null, 0);
    const first = rows()[0];
    const hash = decodeURIComponent(location.hash.replace(/^#bead-/, ""));
    if (hash && rowOf(hash)) focusRow(hash);
    else if (first) focusRow(first.dataset.key, false);
    updateToolbar();
    document.documentElement.dataset.ready = "1";
  }

  start();
})();

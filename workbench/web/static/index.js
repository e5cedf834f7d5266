// The list of pairs: renaming a comparison, removing it into the trash (with an undo right in the
// message) and restoring a removed one. Each is a call to the JSON API (docs/api.md); texts go
// into the page with textContent only.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const message = document.getElementById("message");

  function say(text, kind) {
    message.textContent = text;
    message.className = kind || "";
  }

  async function call(path, body) {
    const res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    });
    const data = await res.json().catch(() => ({ message: res.statusText }));
    if (!res.ok) throw new Error(data.message || res.statusText);
    return data;
  }

  async function rename(row) {
    const cell = row.querySelector(".pair-title");
    const title = window.prompt("A name for this comparison (empty: its documents' titles)",
                                cell.textContent);
    if (title === null) return;
    try {
      await call(`/api/pairs/${encodeURIComponent(row.dataset.pair)}/rename`, { title });
      window.location.reload();
    } catch (err) {
      say(err.message, "error");
    }
  }

  function undoButton(entry) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "undo-remove";
    button.textContent = "Undo";
    button.addEventListener("click", () => restore(entry));
    return button;
  }

  async function remove(row) {
    const title = row.querySelector(".pair-title").textContent;
    if (!window.confirm(`Move "${title}" into the trash? It can be restored from this page.`)) return;
    try {
      const out = await call(`/api/pairs/${encodeURIComponent(row.dataset.pair)}/remove`);
      row.remove();
      say(`Moved "${out.title}" into the trash (trash/${out.entry}). `, "ok");
      message.appendChild(undoButton(out.entry));
    } catch (err) {
      say(err.message, "error");
    }
  }

  async function restore(entry) {
    try {
      await call(`/api/trash/${encodeURIComponent(entry)}/restore`);
      window.location.reload();
    } catch (err) {
      say(err.message, "error");
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const act = button.dataset.act;
    if (act === "restore") restore(button.closest("li").dataset.entry);
    else if (act === "rename") rename(button.closest("tr"));
    else if (act === "remove") remove(button.closest("tr"));
  });
})();

/* Shared helpers of the H5 pages (no framework, no build step). */
"use strict";
const Whistle = {
  params() { return new URLSearchParams(location.search); },
  async api(method, url, body, headers) {
    const init = { method, headers: Object.assign({ "Accept": "application/json" }, headers || {}) };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    let res;
    try { res = await fetch(url, init); } catch (e) { return { ok: false, status: 0, data: { detail: [{ field: "network", message: "网络不可用，请检查网络后重试" }] } }; }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data, headers: res.headers };
  },
  showErrors(detail, form) {
    (form || document).querySelectorAll(".error").forEach(e => { e.textContent = ""; });
    (form || document).querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
    const general = document.getElementById("err-general");
    (detail || []).forEach(d => {
      const slot = document.querySelector(`[data-error-for="${d.field}"]`);
      const input = document.querySelector(`[data-field="${d.field}"]`);
      if (input) input.setAttribute("aria-invalid", "true");
      if (slot) slot.textContent = d.message; else if (general) general.textContent += d.message + " ";
    });
    const first = document.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  },
  fmt(iso) {
    // The API gives Asia/Shanghai times (+08:00); show them as they are, whatever the phone's zone.
    return iso ? String(iso).slice(0, 16).replace("T", " ") : "";
  },
  remember(entry) {
    const list = JSON.parse(localStorage.getItem("whistle.requests") || "[]").filter(e => e.id !== entry.id);
    list.unshift(entry);
    localStorage.setItem("whistle.requests", JSON.stringify(list.slice(0, 20)));
  },
  registerWorker() {
    if ("serviceWorker" in navigator && location.protocol !== "file:") {
      navigator.serviceWorker.register("/h5/sw.js", { scope: "/h5/" }).catch(() => {});
    }
  },
};
Whistle.registerWorker();

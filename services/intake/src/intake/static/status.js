/* The status page: status, unit, deadline and the plain-Chinese timeline of one request. */
"use strict";
(function () {
  const p = Whistle.params();
  const id = p.get("id") || "", token = p.get("token") || "";
  const $ = x => document.getElementById(x);
  const q = `?token=${encodeURIComponent(token)}`;

  async function load() {
    const res = await Whistle.api("GET", `/v1/requests/${encodeURIComponent(id)}${q}`);
    if (!res.ok) { Whistle.showErrors((res.data && res.data.detail) || [{ field: "id", message: "无法查询该诉求" }]); return; }
    const r = res.data;
    $("code").textContent = `查询码 ${r.tracking_code} · ${r.compound_name || ""}`;
    $("status").textContent = r.status_label;
    $("unit-line").hidden = !r.unit_name; $("unit").textContent = r.unit_name || "";
    $("deadline-line").hidden = !r.deadline; $("deadline").textContent = Whistle.fmt(r.deadline);
    $("text").textContent = r.text;
    const ol = $("timeline"); ol.innerHTML = "";
    r.timeline.forEach(t => {
      const li = document.createElement("li");
      const time = document.createElement("time"); time.dateTime = t.at; time.textContent = Whistle.fmt(t.at);
      const strong = document.createElement("strong"); strong.textContent = t.label;
      li.append(time, strong);
      if (t.note) { const span = document.createElement("div"); span.textContent = t.note; li.appendChild(span); }
      ol.appendChild(li);
    });
    $("summary").hidden = false; $("timeline-card").hidden = false;
    $("rate-link").hidden = !r.can_rate;
    $("rate-link").href = `/h5/rate.html?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
    $("cancel").hidden = !r.can_cancel;
  }
  $("refresh").addEventListener("click", load);
  $("cancel").addEventListener("click", async () => {
    if (!confirm("确定撤销该诉求吗？")) return;
    const res = await Whistle.api("POST", `/v1/requests/${encodeURIComponent(id)}/cancel${q}`, { reason: "居民自行撤销" });
    if (!res.ok) Whistle.showErrors(res.data && res.data.detail);
    load();
  });
  load();
})();

/* The rating page: satisfied or not, score and comment, then back to the status page. */
"use strict";
(function () {
  const p = Whistle.params();
  const id = p.get("id") || "", token = p.get("token") || "";
  const form = document.getElementById("rate-form");
  const back = `/h5/status.html?id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
  document.getElementById("back").href = back;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=satisfied]:checked");
    if (!chosen) { Whistle.showErrors([{ field: "satisfied", message: "请选择满意或不满意" }], form); return; }
    const body = { satisfied: chosen.value === "true" };
    const rating = document.getElementById("rating").value;
    if (rating) body.rating = Number(rating);
    const comment = document.getElementById("comment").value.trim();
    if (comment) body.comment = comment;
    const res = await Whistle.api("POST", `/v1/requests/${encodeURIComponent(id)}/feedback?token=${encodeURIComponent(token)}`, body);
    if (!res.ok) { Whistle.showErrors(res.data && res.data.detail, form); return; }
    form.hidden = true; document.getElementById("thanks").hidden = false;
  });
})();

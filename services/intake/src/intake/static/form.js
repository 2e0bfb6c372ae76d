/* The request form: categories, photos, contact or anonymous, submit with an Idempotency-Key. */
"use strict";
(function () {
  const form = document.getElementById("request-form");
  const $ = id => document.getElementById(id);
  const idemKey = (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const draftKey = "whistle.draft." + form.dataset.token.slice(0, 24);
  let categories = [];
  let photoIds = [];

  async function loadCategories() {
    const res = await Whistle.api("GET", "/v1/categories");
    if (!res.ok) return;
    categories = res.data.classes;
    categories.forEach(c => $("class_code").add(new Option(`${c.name}（${c.kind}）`, c.code)));
  }
  $("class_code").addEventListener("change", () => {
    const sub = $("sub_category");
    sub.innerHTML = "";
    const cls = categories.find(c => c.code === $("class_code").value);
    sub.disabled = !cls;
    sub.add(new Option(cls ? "不确定" : "请先选大类", ""));
    (cls ? cls.sub_categories : []).forEach(s => sub.add(new Option(s.name, s.code)));
  });
  $("text").addEventListener("input", () => {
    $("text-count").textContent = `${$("text").value.length} / 4000`;
    localStorage.setItem(draftKey, $("text").value);
  });
  $("anonymous").addEventListener("change", () => {
    ["name", "phone", "preferred_time"].forEach(id => { $(id).disabled = $("anonymous").checked; });
  });
  $("photos").addEventListener("change", async () => {
    const files = Array.from($("photos").files);
    Whistle.showErrors([], form);
    if (files.length > 3) { Whistle.showErrors([{ field: "photos", message: "最多上传3张照片" }], form); return; }
    photoIds = []; $("thumbs").innerHTML = "";
    for (const file of files) {
      if (file.size > 5 * 1024 * 1024) { Whistle.showErrors([{ field: "photos", message: `${file.name} 超过5MB` }], form); return; }
      const data = new FormData(); data.append("file", file);
      let res;
      try { res = await fetch("/v1/photos", { method: "POST", body: data }); } catch (e) { res = null; }
      const body = res ? await res.json().catch(() => null) : null;
      if (!res || !res.ok) { Whistle.showErrors((body && body.detail) || [{ field: "photos", message: "照片上传失败" }], form); return; }
      photoIds.push(body.id);
      const img = document.createElement("img"); img.alt = "已选照片"; img.src = URL.createObjectURL(file);
      $("thumbs").appendChild(img);
    }
  });

  function value(id) { const v = $(id).value.trim(); return v === "" ? null : v; }
  function body() {
    const b = { compound_token: form.dataset.token, text: $("text").value, channel: "qr_h5",
                anonymous: $("anonymous").checked, photos: photoIds };
    if (value("class_code")) b.category = { class_code: value("class_code"), sub_category: value("sub_category") };
    const loc = {};
    ["building", "unit", "room", "address"].forEach(k => { if (value(k)) loc[k] = value(k); });
    if (Object.keys(loc).length) b.location = loc;
    if (!b.anonymous) {
      const c = {};
      [["name", "name"], ["phone", "phone"], ["preferred_time", "preferred_time"]].forEach(([id, k]) => { if (value(id)) c[k] = value(id); });
      if (Object.keys(c).length) b.contact = c;
    }
    return b;
  }
  function check(b) {
    const errors = [];
    if (!b.text.trim()) errors.push({ field: "text", message: "请填写诉求内容" });
    if (b.contact && b.contact.phone && !/^\+?[0-9][0-9\- ]{5,19}$/.test(b.contact.phone)) errors.push({ field: "contact.phone", message: "手机号格式不正确" });
    return errors;
  }
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const b = body();
    const local = check(b);
    if (local.length) { Whistle.showErrors(local, form); return; }
    $("submit").disabled = true; $("submit").textContent = "正在提交…";
    const res = await Whistle.api("POST", "/v1/requests", b, { "Idempotency-Key": idemKey });
    $("submit").disabled = false; $("submit").textContent = "提交诉求";
    if (!res.ok) { Whistle.showErrors((res.data && res.data.detail) || [{ field: "network", message: "提交失败，请稍后重试" }], form); return; }
    localStorage.removeItem(draftKey);
    Whistle.remember({ id: res.data.id, token: res.data.access_token, tracking_code: res.data.tracking_code, summary: b.text.slice(0, 20) });
    location.href = `/h5/track.html?id=${encodeURIComponent(res.data.id)}&token=${encodeURIComponent(res.data.access_token)}&code=${encodeURIComponent(res.data.tracking_code)}`;
  });
  $("text").value = localStorage.getItem(draftKey) || "";
  $("text").dispatchEvent(new Event("input"));
  loadCategories();
})();

// Whistle reports dashboard: fetches the report API and draws charts as inline SVG (no external code).
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const RATES = [
  ["response_rate", "响应率", "#1e88e5"], ["resolution_rate", "解决率", "#43a047"],
  ["satisfaction_rate", "满意率", "#fb8c00"], ["sla_compliance", "SLA达标率", "#8e24aa"],
];
const LEVEL_BELOW = { "": "street", street: "community", community: "compound" };

function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
function hours(s) { return s === null || s === undefined ? "—" : (s / 3600).toFixed(1) + " 小时"; }
function el(tag, attrs, text) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function filters() {
  const form = new FormData(document.getElementById("filters"));
  const params = new URLSearchParams();
  for (const name of ["street", "community", "class", "from", "to"]) {
    const value = form.get(name);
    if (value) params.set(name, value);
  }
  return params;
}

// Staff open the dashboard as /dashboard#token=<bearer token> (POST /v1/auth/token on the router); the
// fragment never reaches a server log, and the token stays in this tab only. Dev mode needs none.
const TOKEN_KEY = "whistle.token";
(function keepToken() {
  const found = location.hash.match(/token=([^&]+)/);
  if (found) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(found[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? {Authorization: "Bearer " + token} : {};
}

async function getJSON(path, params) {
  const response = await fetch(path + (params && [...params].length ? "?" + params : ""), {headers: authHeaders()});
  if (response.status === 401) throw new Error("需要登录：在看板地址后加 #token=<访问令牌>");
  if (response.status === 403) throw new Error("超出您的管辖范围");
  const body = await response.json();
  if (!response.ok) {
    const detail = (body.detail && body.detail[0]) || {};
    throw new Error((detail.field ? detail.field + ": " : "") + (detail.msg || response.statusText));
  }
  return body;
}

function renderKpis(f) {
  const cards = [
    ["响应率", pct(f.response_rate)], ["解决率", pct(f.resolution_rate)], ["满意率", pct(f.satisfaction_rate)],
    ["办结率", pct(f.completion_rate)], ["SLA达标率", pct(f.sla_compliance)],
    ["案件总数", f.cases], ["积压（未办结）", f.backlog], ["超期", f.overdue, f.overdue > 0],
    ["平均响应", hours(f.mean_response_s)], ["响应中位数", hours(f.median_response_s)],
    ["平均解决", hours(f.mean_resolution_s)], ["解决P90", hours(f.p90_resolution_s)],
    ["重办率", pct(f.reopen_rate)], ["重复诉求", f.repeat_requests],
  ];
  const box = document.getElementById("kpis");
  box.replaceChildren(...cards.map(([label, value, bad]) => {
    const card = el("div", { class: "kpi" + (bad ? " bad" : ""), "data-kpi": label });
    card.append(el("div", { class: "label" }, label), el("div", { class: "value" }, String(value)));
    return card;
  }));
}

function renderTrend(points) {
  const box = document.getElementById("trend-chart");
  if (!points.length) { box.replaceChildren(el("p", { class: "empty" }, "暂无数据")); return; }
  const W = 900, H = 260, L = 44, R = 16, T = 16, B = 46;
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "三率趋势图" });
  const x = i => L + (points.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (points.length - 1));
  const y = v => T + (1 - v) * (H - T - B);
  const maxCases = Math.max(...points.map(p => p.cases), 1);
  const barW = Math.max(4, (W - L - R) / points.length * 0.5);
  points.forEach((p, i) => {
    const h = (p.cases / maxCases) * (H - T - B) * 0.5;
    svg.append(el("svg:rect", { x: x(i) - barW / 2, y: H - B - h, width: barW, height: h, fill: "#e3e8ef" }));
  });
  for (const v of [0, 0.5, 1]) {
    svg.append(el("svg:line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#dde3ea" }));
    svg.append(el("svg:text", { x: 4, y: y(v) + 4, "font-size": 12, fill: "#5a6b7d" }, (v * 100) + "%"));
  }
  const step = Math.ceil(points.length / 10);
  points.forEach((p, i) => {
    const anchor = i === 0 && points.length > 1 ? "start" : i === points.length - 1 ? "end" : "middle";
    if (i % step === 0) svg.append(el("svg:text", { x: x(i), y: H - B + 16, "font-size": 11, "text-anchor": anchor,
      fill: "#5a6b7d" }, p.period));
  });
  RATES.forEach(([key, label, color], n) => {
    const pts = points.map((p, i) => p[key] === null ? null : `${x(i)},${y(p[key])}`).filter(Boolean);
    if (pts.length) svg.append(el("svg:polyline", { points: pts.join(" "), fill: "none", stroke: color,
      "stroke-width": 2.5, "data-series": key }));
    svg.append(el("svg:rect", { x: L + n * 130, y: H - 16, width: 12, height: 12, fill: color }));
    svg.append(el("svg:text", { x: L + n * 130 + 16, y: H - 6, "font-size": 12 }, label));
  });
  svg.append(el("svg:text", { x: W - R, y: H - 6, "font-size": 12, "text-anchor": "end", fill: "#8a99a8" },
    "灰柱：案件数"));
  box.replaceChildren(svg);
}

function renderBreakdown(rows) {
  const top = rows.slice(0, 15);
  const chart = document.getElementById("breakdown-chart");
  const W = 900, rowH = 24, L = 190, H = Math.max(top.length, 1) * rowH + 8;
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "分级统计图" });
  const max = Math.max(...top.map(r => r.cases), 1);
  top.forEach((r, i) => {
    const w = (r.cases / max) * (W - L - 60);
    svg.append(el("svg:text", { x: L - 8, y: i * rowH + 17, "font-size": 13, "text-anchor": "end" }, r.name));
    svg.append(el("svg:rect", { x: L, y: i * rowH + 4, width: w, height: rowH - 8, fill: "#c62828", rx: 2 }));
    if (r.overdue) {
      const ow = (r.overdue / max) * (W - L - 60);
      svg.append(el("svg:rect", { x: L, y: i * rowH + 4, width: ow, height: rowH - 8, fill: "#ffb300", rx: 2 }));
    }
    svg.append(el("svg:text", { x: L + w + 6, y: i * rowH + 17, "font-size": 12 }, String(r.cases)));
  });
  chart.replaceChildren(top.length ? svg : el("p", { class: "empty" }, "暂无数据"));
  const table = document.getElementById("breakdown-table");
  const head = el("tr");
  for (const h of ["名称", "案件", "积压", "超期", "响应率", "解决率", "满意率", "办结率"]) head.append(el("th", {}, h));
  table.replaceChildren(head, ...rows.map(r => {
    const tr = el("tr");
    tr.append(el("td", {}, r.name));
    for (const v of [r.cases, r.backlog, r.overdue]) tr.append(el("td", { class: "num" }, String(v)));
    for (const k of ["response_rate", "resolution_rate", "satisfaction_rate", "completion_rate"])
      tr.append(el("td", { class: "num" }, pct(r[k])));
    return tr;
  }));
}

function renderOverdue(rows) {
  const table = document.getElementById("overdue-table");
  if (!rows.length) { table.replaceChildren(el("tr", {}, "")); table.append(el("caption", { class: "empty" }, "没有超期案件")); return; }
  const head = el("tr");
  for (const h of ["案件", "社区", "子类", "承办单位", "状态", "超期", "已超时"]) head.append(el("th", {}, h));
  table.replaceChildren(head, ...rows.slice(0, 20).map(r => {
    const tr = el("tr");
    for (const v of [r.case_id, r.community, r.category, r.unit, r.status, r.overdue]) tr.append(el("td", {}, v));
    tr.append(el("td", { class: "num" }, r.overdue_hours === null ? "—" : r.overdue_hours + " 小时"));
    return tr;
  }));
}

function renderHotspots(rows) {
  const list = document.getElementById("hotspots");
  if (!rows.length) { list.replaceChildren(el("li", { class: "empty" }, "暂未发现热点")); return; }
  list.replaceChildren(...rows.slice(0, 10).map(h => {
    const li = el("li");
    li.append(el("strong", {}, `${h.community} · ${h.place} `));
    for (const t of h.terms) li.append(el("span", { class: "tag" }, t));
    li.append(el("div", { class: "muted" }, `${h.request_ids.length} 条诉求，得分 ${h.score}`));
    return li;
  }));
}

async function refresh() {
  const params = filters();
  const error = document.getElementById("error");
  error.hidden = true;
  const by = document.getElementById("by");
  const interval = document.getElementById("f-interval").value;
  const trendParams = new URLSearchParams(params); trendParams.set("interval", interval);
  const byParams = new URLSearchParams(params); byParams.set("by", by.value);
  for (const id of ["export-csv", "export-xlsx"]) {
    const link = document.getElementById(id);
    const q = new URLSearchParams(params); q.set("format", id.endsWith("csv") ? "csv" : "xlsx");
    link.href = "/v1/reports/query?" + q;
  }
  try {
    const [summary, trend, breakdown, overdue, hotspots] = await Promise.all([
      getJSON("/v1/reports/summary", params), getJSON("/v1/reports/trend", trendParams),
      getJSON("/v1/reports/breakdown", byParams), getJSON("/v1/reports/overdue", params),
      getJSON("/v1/reports/hotspots", params.get("community") ? new URLSearchParams({ community: params.get("community") }) : null),
    ]);
    renderKpis(summary.figures);
    renderTrend(trend.points);
    renderBreakdown(breakdown.rows);
    renderOverdue(overdue.rows);
    renderHotspots(hotspots.rows);
    document.getElementById("updated").textContent = "更新于 " + new Date().toLocaleString("zh-CN");
    document.body.dataset.ready = "1";
  } catch (err) {
    error.textContent = "查询失败：" + err.message;
    error.hidden = false;
    document.body.dataset.ready = "error";
  }
}

async function loadOrg() {
  const org = await getJSON("/v1/reports/org");
  const street = document.getElementById("f-street"), community = document.getElementById("f-community");
  for (const s of org.streets) street.append(el("option", { value: s.id }, s.name));
  const fill = () => {
    community.replaceChildren(el("option", { value: "" }, "全部"));
    for (const c of org.communities) if (!street.value || c.street === street.value)
      community.append(el("option", { value: c.id }, c.name));
  };
  street.addEventListener("change", () => {
    fill();
    document.getElementById("by").value = LEVEL_BELOW[street.value ? "street" : ""];
  });
  community.addEventListener("change", () => {
    document.getElementById("by").value = community.value ? "compound" : LEVEL_BELOW[street.value ? "street" : ""];
  });
  fill();
}

document.getElementById("filters").addEventListener("submit", ev => { ev.preventDefault(); refresh(); });
document.getElementById("by").addEventListener("change", refresh);
loadOrg().then(refresh, err => { document.getElementById("error").textContent = err.message; refresh(); });

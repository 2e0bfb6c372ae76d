/* Offline support: the pages, styles and scripts are cached; API calls always go to the network. */
const CACHE = "whistle-h5-v1";
const ASSETS = ["/h5/app.css", "/h5/app.js", "/h5/form.js", "/h5/status.js", "/h5/rate.js",
                "/h5/track.html", "/h5/status.html", "/h5/rate.html", "/h5/index.html"];
self.addEventListener("install", e => e.waitUntil(caches.open(CACHE).then(c => c.addAll(ASSETS))));
self.addEventListener("activate", e => e.waitUntil(caches.keys().then(keys =>
  Promise.all(keys.filter(k => k !== CACHE).map(k => caches.delete(k))))));
self.addEventListener("fetch", e => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || !url.pathname.startsWith("/h5/")) return;
  e.respondWith(fetch(e.request).then(res => {
    const copy = res.clone();
    if (res.ok) caches.open(CACHE).then(c => c.put(e.request, copy));
    return res;
  }).catch(() => caches.match(e.request)));
});

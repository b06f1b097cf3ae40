// Bridgework's service worker. It keeps only the app shell and static files: never a page or
// an answer that holds client data (those are fetched from the network every time).
const VERSION = "{{ version }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Navigation preload: the browser fetches a page while this worker starts, instead of after.
  const preload = self.registration.navigationPreload ? self.registration.navigationPreload.enable() : Promise.resolve();
  event.waitUntil(
    preload.then(() => caches.keys())
      .then((names) => Promise.all(names.filter((name) => name !== VERSION).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      Promise.resolve(event.preloadResponse)
        .then((preloaded) => preloaded || fetch(request))
        .catch(() => caches.match("/me/offline/"))
    );
  }
});

// Web Push: the payload says only "you have a reminder" and where to go; tapping it opens
// exactly that prompt, which leads on to its plan or check-in.
self.addEventListener("push", (event) => {
  let message = { title: "Bridgework", body: "", url: "/me/" };
  try { message = Object.assign(message, event.data ? event.data.json() : {}); } catch (error) {}
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, icon: SHELL.find((url) => url.includes("icon-192")), data: { url: message.url }
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/me/";
  event.waitUntil(self.clients.openWindow(url));
});

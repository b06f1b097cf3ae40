// The client's app on the phone: entries are kept on the device (IndexedDB) until the server
// has them, so nothing typed is lost on a flaky connection, and each carries a uid made when
// the form was shown, so sending it again never makes a second entry.
//
// A phone may be shared, and a client may be signed out without signing out here (the
// session ends after 90 days, or a password reset signs them out everywhere). So each entry
// carries its owner: the opaque reference of the person signed in when it was written
// (data-outbox-owner on <html>, practice/outbox.py). Only the owner's entries are sent and
// shown; anyone else's wait, unseen, for their owner to sign in again on this phone, and are
// dropped after PARKED_DAYS. Entries from before owners were stamped have none: they are
// never sent or shown, since nobody can say whose they are. Signing out clears everything.
(function () {
  "use strict";
  var DB_NAME = "bridgework", STORE = "outbox";
  // Retries wait longer after each failure (5 s, 10 s, 20 s … at most 5 minutes), so a
  // server in trouble is not hammered by every phone at once; a success or the phone coming
  // back online starts again from the shortest pause.
  var RETRY_FIRST_MS = 5000, RETRY_MAX_MS = 300000, retryMs = RETRY_FIRST_MS, retryTimer = null;
  var PARKED_DAYS = 30, DAY_MS = 86400000;
  var OWNER = document.documentElement.dataset.outboxOwner || "";  // "" on the offline page
  var T = (document.documentElement.dataset.outboxText || "").split("|");
  // T: [waiting (one), waiting (many, with %n), saved offline, refused, sign-out warning,
  //     too large to send, refused by the server (with %n: the status)]

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "uid" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        Promise.resolve(work(tx.objectStore(STORE))).then(function (value) { result = value; });
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return withStore("readonly", function (store) {
      return new Promise(function (resolve) {
        var request = store.getAll();
        request.onsuccess = function () { resolve(request.result || []); };
      });
    });
  }
  function isMine(entry) { return OWNER !== "" && entry.owner === OWNER; }
  function mine() { return all().then(function (entries) { return entries.filter(isMine); }); }

  // Someone else's entries wait for them, but not for ever: a shared phone should not hold
  // another person's words longer than it must.
  function pruneParked(entries) {
    var oldest = Date.now() - PARKED_DAYS * DAY_MS;
    var stale = entries.filter(function (e) { return !isMine(e) && !(e.savedAt >= oldest); });
    if (!stale.length) return Promise.resolve();
    return withStore("readwrite", function (store) { stale.forEach(function (e) { store.delete(e.uid); }); });
  }

  function put(entry) { return withStore("readwrite", function (store) { store.put(entry); }); }
  function remove(uid) { return withStore("readwrite", function (store) { store.delete(uid); }); }
  function clear() { return withStore("readwrite", function (store) { store.clear(); }); }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  // Send one entry. Resolves "sent", "refused" (with problems), "retry" or "parked". Only our
  // own answer counts as saved: a captive portal's or the sign-in page's 200 is not one. 409
  // means someone else is signed in now (this page is older than their sign-in): the entry
  // waits for its owner and is not tried again from this page. Every other 4xx is a refusal
  // that sending again cannot change (too large, wrong type, not allowed…): the client sees
  // it with their words, and it is not sent again. No answer, 5xx, 401 (signed out), 408 and
  // 429 mean "not now": the entry waits and is tried again.
  function send(entry) {
    return fetch("/me/sync/", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ kind: entry.kind, owner: entry.owner, form: entry.form })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        return outcomeOf(response.status, body);
      });
    }, function () { return { state: "retry" }; }).then(function (outcome) {
      return outcome.state === "sent" ? remove(entry.uid).then(function () { return outcome; }) : outcome;
    });
  }

  function outcomeOf(status, body) {
    var ours = body && typeof body === "object";
    if ((status === 200 || status === 201) && ours && /^(already-)?saved$/.test(body.status)) return { state: "sent" };
    if (status === 409) return { state: "parked" };
    if (status === 410 && ours && body.forget === true) return { state: "forget" };
    if (status >= 400 && status < 500 && [401, 408, 429].indexOf(status) < 0) {
      var problems = ours && body.errors && typeof body.errors === "object" ? body.errors : {};
      if (!Object.keys(problems).length) {
        problems = { __all__: status === 413 ? T[5] : (T[6] || "").replace("%n", status) };
      }
      return { state: "refused", problems: problems };
    }
    return { state: "retry" };
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryMs);
    document.documentElement.dataset.outboxRetryIn = String(retryMs);  // for the browser tests
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  // Send what waits of this person's, oldest first. The first "not now" stops the round (the
  // rest would meet the same trouble) and plans the next one; "parked" stops it for good.
  var flushing = null, flushes = 0, forgotten = false;
  function flush() {
    if (!window.indexedDB || !OWNER || forgotten) return Promise.resolve();
    if (flushing) return flushing;
    clearTimeout(retryTimer);
    flushing = all().then(function (entries) {
      var waiting = entries.filter(function (e) { return isMine(e) && e.state !== "refused"; });
      waiting.sort(function (a, b) { return a.savedAt - b.savedAt; });
      return pruneParked(entries).then(function () {
        return waiting.reduce(function (chain, entry) {
          return chain.then(function (stopped) {
            if (stopped) return stopped;
            return send(entry).then(function (outcome) {
              if (outcome.state === "refused") { entry.state = "refused"; entry.problems = outcome.problems; return put(entry).then(function () { return ""; }); }
              return /^(retry|parked|forget)$/.test(outcome.state) ? outcome.state : "";
            });
          });
        }, Promise.resolve(""));
      });
    }).then(function (stopped) {
      if (stopped === "forget") return forgetAll();
      if (stopped === "retry") scheduleRetry(); else if (!stopped) retryMs = RETRY_FIRST_MS;
    }, scheduleRetry).then(showStatus, showStatus).then(function () {
      flushing = null;
      document.documentElement.dataset.outboxRounds = String(++flushes);  // for the browser tests
    });
    return flushing;
  }

  function showStatus() {
    if (forgotten) return Promise.resolve();  // nothing is kept: do not open the store again
    return mine().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.state !== "refused"; }).length;
      var refused = entries.length - waiting;
      document.querySelectorAll("[data-outbox-status]").forEach(function (element) {
        var text = waiting === 1 ? T[0] : waiting > 1 ? (T[1] || "").replace("%n", waiting) : "";
        if (refused) text += (text ? " " : "") + (T[3] || "").replace("%n", refused);
        element.textContent = text;
        element.hidden = !text;
        element.dataset.waiting = String(waiting);
      });
      showRefused(entries.filter(function (e) { return e.state === "refused"; }));
    });
  }

  function formFields(form, submitter) {
    var data = new FormData(form, submitter), fields = {};
    data.forEach(function (value, key) { if (key !== "csrfmiddlewaretoken") fields[key] = String(value); });
    return fields;
  }

  function showProblems(form, problems) {
    var box = form.querySelector("[data-problems]");
    if (!box) return;
    var list = box.querySelector("ul");
    list.textContent = "";
    Object.keys(problems).forEach(function (name) {
      var item = document.createElement("li");
      item.textContent = problems[name];
      list.appendChild(item);
    });
    box.hidden = false;
    box.focus();
  }

  function newUid() {
    return (self.crypto && crypto.randomUUID) ? crypto.randomUUID() :
      "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
        return (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16);
      });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline]") || !window.indexedDB || !OWNER) return;
    event.preventDefault();
    var entry = { uid: form.elements.uid.value, kind: form.dataset.offline, owner: OWNER, form: formFields(form, event.submitter), savedAt: Date.now(), state: "waiting" };
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    put(entry).then(function () { return send(entry); }).then(function (outcome) {
      buttons.forEach(function (b) { b.disabled = false; });
      // Disabling the pressed button took the keyboard's focus off it: give it back, so a
      // keyboard or screen reader user goes on from where they were, not from the page's top.
      if (event.submitter && (!document.activeElement || document.activeElement === document.body)) event.submitter.focus();
      if (outcome.state === "sent") { window.location.assign("/me/"); return; }
      if (outcome.state === "forget") return forgetAll();
      if (outcome.state === "refused") { return remove(entry.uid).then(function () { showProblems(form, outcome.problems); }); }
      // Offline or server trouble (or someone else signed in meanwhile): the entry waits on
      // the phone; the form is ready for the next one.
      if (outcome.state === "retry") scheduleRetry();
      form.reset();
      form.elements.uid.value = newUid();
      var box = form.querySelector("[data-problems]");
      if (box) box.hidden = true;
      announce(T[2]);
      return showStatus();
    });
  }

  function announce(text) {
    var live = document.querySelector("[data-announce]");
    if (live) { live.textContent = ""; live.textContent = text; }
  }

  function onSignOut(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-sign-out]")) return;
    event.preventDefault();
    if (!window.indexedDB) { forgetPush().then(function () { form.submit(); }); return; }
    // The warning counts this person's entries; the clear takes everyone's, so a phone
    // signed out of on purpose holds no one's words.
    flush().then(mine).then(function (entries) {
      if (entries.length && !window.confirm((T[4] || "").replace("%n", entries.length))) return;
      return clear().then(forgetPush).then(function () { form.submit(); });
    });
  }

  // The client was erased (records/middleware.py answers 410 with "forget": true): the phone
  // deletes everything it kept of them — the outbox, caches, the service worker, any storage
  // — and shows the sign-in page. The server's Clear-Site-Data header asks the browser for
  // the same; this is for browsers that ignore it.
  function forgetAll() {
    forgotten = true;
    clearTimeout(retryTimer);
    var dropped = new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
    try { localStorage.clear(); sessionStorage.clear(); } catch (e) { /* storage disabled */ }
    var cached = window.caches ? caches.keys().then(function (names) {
      return Promise.all(names.map(function (name) { return caches.delete(name); }));
    }).catch(function () {}) : Promise.resolve();
    var worker = "serviceWorker" in navigator ? navigator.serviceWorker.getRegistrations().then(function (all) {
      return Promise.all(all.map(function (registration) { return registration.unregister(); }));
    }).catch(function () {}) : Promise.resolve();
    // The browser may be clearing the same storage for the header meanwhile, and hold these
    // requests until it is done: go to the sign-in page after a short wait regardless.
    var enough = new Promise(function (resolve) { setTimeout(resolve, 3000); });
    return Promise.race([Promise.all([dropped, cached, worker]), enough]).then(function () {
      document.documentElement.dataset.outboxForgotten = "1";  // for the browser tests
      window.location.assign("/accounts/sign-in/");
    });
  }

  // A phone may be shared: after sign-out it must not go on getting this client's reminders.
  // Unsubscribing ends the address at the push service; the server forgets it at its next try.
  function forgetPush() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) return Promise.resolve();
    return navigator.serviceWorker.getRegistration()
      .then(function (registration) { return registration && registration.pushManager.getSubscription(); })
      .then(function (subscription) { return subscription && subscription.unsubscribe(); })
      .catch(function () {});
  }

  // Entries the server refused after they waited offline (say, the plan ended meanwhile) stay
  // on the phone; the history page shows what they said and why, to copy, then discard. Drawn
  // again after each round only when the list changed, so text being copied stays selected.
  function showRefused(refused) {
    var box = document.querySelector("[data-refused-entries]");
    var shown = refused.map(function (e) { return e.uid; }).join(" ");
    if (!box || box.dataset.shown === shown) return;
    box.dataset.shown = shown;
    var list = box.querySelector("ul");
    list.textContent = "";
    refused.forEach(function (entry) {
      var item = document.createElement("li");
      item.className = "card";
      var when = document.createElement("p");
      when.textContent = new Date(entry.savedAt).toLocaleString();
      item.appendChild(when);
      var words = document.createElement("pre");
      words.className = "refused-text";
      words.textContent = Object.keys(entry.form).filter(function (key) {
        return entry.form[key] && !/^(uid|plan|sheet|prompt|visible_to)$/.test(key);
      }).map(function (key) { return entry.form[key]; }).join("\n");
      item.appendChild(words);
      var why = document.createElement("p");
      why.className = "field-error";
      why.textContent = Object.keys(entry.problems || {}).map(function (k) { return entry.problems[k]; }).join(" ");
      item.appendChild(why);
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button secondary";
      discard.textContent = box.dataset.discard || "Discard";
      discard.addEventListener("click", function () { remove(entry.uid).then(showStatus); });
      item.appendChild(discard);
      list.appendChild(item);
    });
    box.hidden = refused.length === 0;
  }

  document.addEventListener("submit", onSubmit);
  document.addEventListener("submit", onSignOut);
  window.addEventListener("online", function () { retryMs = RETRY_FIRST_MS; flush(); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) flush(); });
  // Start-up work that the page does not need to show itself waits until the page has loaded
  // and the browser is idle (at most IDLE_WAIT_MS more), so that it never blocks the first
  // paint or a tap on a slow phone: the outbox's first round (IndexedDB, the status line) and
  // registering the service worker (installing it, or checking for a new version). The forms'
  // handlers above are in place at once, so an entry made before then is kept all the same.
  var IDLE_WAIT_MS = 2000;
  function whenIdle(work) {
    if (window.requestIdleCallback) window.requestIdleCallback(work, { timeout: IDLE_WAIT_MS });
    else setTimeout(work, 0);
  }
  function afterLoad(work) {
    if (document.readyState === "complete") whenIdle(work);
    else window.addEventListener("load", function () { whenIdle(work); });
  }
  if (window.indexedDB) afterLoad(flush);
  if ("serviceWorker" in navigator) {
    afterLoad(function () { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); });
  }
  document.documentElement.dataset.appReady = "1";  // forms now keep entries on the phone
})();

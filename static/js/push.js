// Notifications (My reminders only): ask the browser for a push subscription and hand it to
// the server. Kept out of client-app.js, which every client page loads at start-up; signing
// out still unsubscribes there (forgetPush).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
  }

  function subscribe(button) {
    var status = document.querySelector("[data-push-status]");
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      if (status) status.textContent = button.dataset.unsupported || "";
      return;
    }
    navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(button.dataset.pushSubscribe) });
    }).then(function (subscription) {
      return fetch("/me/push/subscribe/", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(subscription.toJSON())
      });
    }).then(function (response) {
      if (status) status.textContent = response.ok ? (button.dataset.done || "") : (button.dataset.failed || "");
    }).catch(function () {
      if (status) status.textContent = button.dataset.failed || "";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-push-subscribe]");
    if (button) subscribe(button);
  });
})();

// The study page's exports being made show how far they are: every few seconds this asks
// each one's status (research/exports/<id>/status/, JSON) and writes its progress in; once
// one has finished the page reloads, so its download link and log appear. Without this
// script the page says to reload it.
(function () {
  "use strict";
  var EVERY_MS = 3000;
  var rows = document.querySelectorAll("[data-export-status]");
  if (!rows.length) return;

  function show(row, status) {
    var state = row.querySelector("[data-export-state]");
    var words = row.querySelector("[data-export-progress]");
    var bar = row.querySelector("[data-export-bar]");
    if (state) state.textContent = status.label;
    if (words) words.textContent = status.words;
    if (bar) {
      bar.max = status.tables;
      bar.value = status.tables_done;
    }
  }

  function poll() {
    var asks = Array.prototype.map.call(rows, function (row) {
      return fetch(row.dataset.exportStatus, { credentials: "same-origin", cache: "no-store" })
        .then(function (answer) {
          if (!answer.ok) throw new Error("status " + answer.status);
          return answer.json();
        })
        .then(function (status) {
          show(row, status);
          return status.finished;
        });
    });
    Promise.all(asks).then(
      function (finished) {
        if (finished.some(Boolean)) window.location.reload();
        else window.setTimeout(poll, EVERY_MS);
      },
      function () {
        window.setTimeout(poll, EVERY_MS * 5); // the server is busy or away: ask less often
      }
    );
  }
  window.setTimeout(poll, EVERY_MS);
})();

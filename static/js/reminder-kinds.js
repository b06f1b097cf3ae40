// Progressive enhancement for the plan editor's reminders: only the fields of the chosen kind
// of reminder are shown (without script every field shows, and the server ignores the rest).
(function () {
  "use strict";

  function update(box) {
    var checked = box.querySelector("input[name='reminders-kind']:checked");
    var kind = checked ? checked.value : "none";
    box.querySelectorAll("[data-reminder-kind]").forEach(function (group) {
      var shown = group.getAttribute("data-reminder-kind").split(" ").indexOf(kind) >= 0;
      group.hidden = !shown;
      group.style.display = shown ? "" : "none";  // the grids' display would win over hidden
    });
  }

  document.querySelectorAll("[data-reminder-kinds]").forEach(function (box) {
    box.addEventListener("change", function () { update(box); });
    update(box);
  });
})();

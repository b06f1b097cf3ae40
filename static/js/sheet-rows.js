// Progressive enhancement for worksheet lists (emotions, a distress time series): the page
// holds every row the worksheet allows, so without script all of them are there to fill in.
// With script, only the first few (and any already filled in) show, and "Add a row" reveals
// the next until the worksheet's limit.
(function () {
  "use strict";

  function isEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll("[name]"), function (field) {
      return field.value === "";
    });
  }

  function enhance(group) {
    var shown = parseInt(group.getAttribute("data-rows-shown"), 10);
    var rows = Array.prototype.slice.call(group.querySelectorAll(".sheet-row"));
    var button = group.querySelector("[data-add-row]");
    var last = shown - 1;
    rows.forEach(function (row, index) { if (!isEmpty(row)) last = Math.max(last, index); });
    rows.forEach(function (row, index) { row.hidden = index > last; });

    function update() {
      button.hidden = !rows.some(function (row) { return row.hidden; });
    }
    button.addEventListener("click", function () {
      var next = rows.filter(function (row) { return row.hidden; })[0];
      if (next) {
        next.hidden = false;
        var first = next.querySelector("input, select, textarea");
        if (first) first.focus();
      }
      update();
    });
    update();
  }

  document.querySelectorAll("fieldset[data-rows-shown]").forEach(enhance);
})();

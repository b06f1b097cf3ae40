// A worksheet's fields that follow from a series (an exposure's distress every few minutes:
// the first reading is "before", the highest "peak", the last "after") fill in as the client
// types the series, marked "from your series". A value the client types themself is kept and
// no longer followed; emptying it lets the series fill it again. The server applies the same
// rule to what is sent (practice/series.py), so without this script nothing is lost either.
(function () {
  "use strict";
  var READINGS_NEEDED = 2;
  var rule = document.querySelector("[data-from-series]");
  if (!rule) return;
  var form = rule.closest("form");
  var filling = false;

  function readings() {
    var values = [];
    for (var row = 0; ; row += 1) {
      var field = form.elements[rule.dataset.list + "." + row + "." + rule.dataset.value];
      if (!field) break;
      var typed = field.value.trim();
      if (typed === "") continue;
      // A reading the server would refuse fills nothing: the refusal will name its row.
      if (!/^[0-9]+$/.test(typed) || Number(typed) > 100) return [];
      values.push(Number(typed));
    }
    return values;
  }

  function summary() {
    var values = readings();
    if (values.length < READINGS_NEEDED) return null;
    return {
      first: values[0],
      highest: Math.max.apply(null, values),
      last: values[values.length - 1],
    };
  }

  var targets = ["first", "highest", "last"].map(function (part) {
    var field = form.elements[rule.dataset[part]];
    var hint = document.createElement("p");
    hint.className = "help from-series";
    hint.id = field.id + "-from-series";
    hint.textContent = rule.dataset.hint;
    hint.hidden = true;
    field.insertAdjacentElement("afterend", hint);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + hint.id);
    return { part: part, field: field, hint: hint, own: false };
  });

  function fill() {
    var given = summary();
    targets.forEach(function (target) {
      if (target.own) { target.hint.hidden = true; return; }
      var value = given ? String(given[target.part]) : "";
      if (target.field.value !== value) {
        filling = true;
        target.field.value = value;
        target.field.dispatchEvent(new Event("input", { bubbles: true }));  // the slider follows
        filling = false;
      }
      target.field.dataset.fromSeries = given ? "yes" : "";
      target.hint.hidden = !given;
    });
  }

  var given = summary();
  targets.forEach(function (target) {
    // A page shown again (a refused entry) keeps what the client typed; a value that is the
    // series' own is still the series'.
    var value = target.field.value;
    target.own = value !== "" && !(given && String(given[target.part]) === value);
    target.field.addEventListener("input", function () {
      if (filling) return;
      target.own = target.field.value !== "";
      fill();
    });
  });
  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (name.indexOf(rule.dataset.list + ".") === 0) fill();
  });
  fill();
})();

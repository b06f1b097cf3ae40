// Progressive enhancement for rating fields: each number input marked data-slider gets a range
// slider beside it that stays in sync (the number field remains the accessible alternative and
// can be left empty). A confidence below 7 shows a gentle suggestion to make the task smaller.
(function () {
  "use strict";
  var LOW_CONFIDENCE = 7;

  function enhance(number) {
    var slider = document.createElement("input");
    slider.type = "range";
    slider.min = number.min || "0";
    slider.max = number.max || "10";
    slider.step = "1";
    slider.value = number.value === "" ? slider.min : number.value;
    slider.className = "slider";
    slider.setAttribute("aria-hidden", "true");
    slider.tabIndex = -1;
    if (number.value === "") slider.classList.add("unset");
    number.insertAdjacentElement("beforebegin", slider);
    slider.addEventListener("input", function () {
      number.value = slider.value;
      slider.classList.remove("unset");
      number.dispatchEvent(new Event("input", { bubbles: true }));
    });
    number.addEventListener("input", function () {
      if (number.value !== "") { slider.value = number.value; slider.classList.remove("unset"); }
    });
  }

  function watchConfidence() {
    var field = document.querySelector("input[name=confidence]");
    var hint = document.querySelector("[data-low-confidence-hint]");
    if (!field || !hint) return;
    field.addEventListener("input", function () {
      var value = parseInt(field.value, 10);
      hint.hidden = !(value >= 0 && value < LOW_CONFIDENCE);
    });
  }

  document.querySelectorAll("input[data-slider]").forEach(enhance);
  watchConfidence();
})();

// The sticky Agree / Save bar (.sticky-actions) wraps onto two rows on a narrow screen or in
// large text. The stylesheet keeps every focused field clear of the bar by its height, in
// --action-bar; this keeps that height true as the bar changes size. Without it the
// stylesheet's own guess (6rem) still holds for one row of buttons.
(function () {
  "use strict";
  var bar = document.querySelector(".sticky-actions");
  if (!bar) return;
  function measure() {
    document.documentElement.style.setProperty("--action-bar", bar.offsetHeight + "px");
  }
  measure();
  if ("ResizeObserver" in window) new ResizeObserver(measure).observe(bar);
  else window.addEventListener("resize", measure);
})();

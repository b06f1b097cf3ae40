// The sticky Agree / Save bar (.sticky-actions) must never cover the field being worked on.
// The stylesheet makes the page scroll a focused field clear of the bar (scroll-padding and
// scroll-margin sized by --action-bar) whenever the browser scrolls to it. Two gaps remain,
// and this closes them:
// - the bar wraps onto two rows on a narrow screen or in large text, so its height is
//   measured here, into --action-bar, as it changes;
// - a browser scrolls to a focused field only when it is off screen: a field partly hidden
//   behind the bar counts as on screen, so it would stay there. Such a field is scrolled
//   into view here, which honours the stylesheet's padding.
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

  function underTheBar(element) {
    var box = element.getBoundingClientRect();
    var cover = bar.getBoundingClientRect();
    return box.bottom > cover.top && box.top < cover.bottom;
  }

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!(field instanceof Element) || bar.contains(field)) return;
    if (underTheBar(field)) field.scrollIntoView({ block: "nearest" });
  });
})();

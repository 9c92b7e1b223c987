/* ern.cpms: accessibility mends of Plone's own markup (WCAG 2.1 AA).
   Plone's toolbar pin is a link without href carrying an aria-label: it
   acts as a button, so it is given that role and made focusable. */
(function () {
  "use strict";
  function mend() {
    document
      .querySelectorAll("a.toolbar-collapse:not([href]):not([role])")
      .forEach(function (link) {
        link.setAttribute("role", "button");
        link.setAttribute("tabindex", "0");
      });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mend);
  } else {
    mend();
  }
})();

/* The cookie notice (viewlet ern.cpms.cookie-notice): "OK" without a reload.
 *
 * The button submits a form to @@accept-cookie-notice, which sets the
 * cookie and comes back to the page; this script sets the same cookie in
 * the browser and hides the banner instead. A page that a cache kept from
 * before "OK" is hidden at once too.
 */
(function () {
  "use strict";

  var NAME = "cpms_cookie_notice";
  var ONE_YEAR = 365 * 24 * 60 * 60;

  function seen() {
    return document.cookie.split(";").some(function (part) {
      return part.trim().indexOf(NAME + "=") === 0;
    });
  }

  function remember() {
    var cookie = NAME + "=seen; path=/; max-age=" + ONE_YEAR + "; SameSite=Lax";
    if (window.location.protocol === "https:") {
      cookie += "; Secure";
    }
    document.cookie = cookie;
  }

  var notice = document.getElementById("cpms-cookie-notice");
  if (!notice) {
    return;
  }
  if (seen()) {
    notice.hidden = true;
    return;
  }
  var form = notice.querySelector("form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      remember();
      notice.hidden = true;
    });
  }
})();

// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Remember the browser's time zone once, so dates show in the reader's local time.
  if (document.cookie.split("; ").every(function (c) { return c.indexOf("tz=") !== 0; })) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) {
        document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
      }
    } catch (e) { /* an old browser keeps the site's default zone */ }
  }
})();

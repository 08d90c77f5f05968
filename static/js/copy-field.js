/*
 * Copy buttons (hand-written for this site; no library). A button with data-copy="ID" copies
 * the text of the element with that id and says so in the element data-copy-status names.
 * Buttons start hidden and appear only where the browser can copy, so without JavaScript the
 * page still works: the text itself selects whole with one click (.secret).
 */
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var status = document.getElementById(button.dataset.copyStatus);
      if (!source) {
        return;
      }
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) { status.textContent = "Copied."; }
        },
        function () {
          if (status) { status.textContent = "Could not copy: please select the link and copy it."; }
        }
      );
    });
  });
})();

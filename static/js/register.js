/*
 * The register (templates/meetings/register.html), hand-written for this site. Without
 * JavaScript, "Everyone present" is a submit button: the server marks everyone not yet marked
 * present and shows the form again, unsaved. With it, the same happens here at once, with no
 * round trip, and a screen reader hears how many were marked. Choosing absent or apologies
 * unticks "Presented a case", which only someone who was there can have done; ticking it for
 * someone not yet marked marks them present.
 */
(function () {
  "use strict";
  var form = document.querySelector("[data-register]");
  if (!form) {
    return;
  }
  var status = form.querySelector("[data-register-status]");
  var button = form.querySelector("[data-everyone-present]");
  var rows = form.querySelectorAll(".register-row");

  if (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var marked = 0;
      rows.forEach(function (row) {
        if (row.querySelector('input[type="radio"]:checked')) {
          return;
        }
        var present = row.querySelector('input[type="radio"][value="present"]');
        if (present) {
          present.checked = true;
          marked += 1;
        }
      });
      if (status) {
        status.textContent = marked === 1
          ? "1 person marked present. Change anyone who was late or absent, then save."
          : marked + " people marked present. Change anyone who was late or absent, then save.";
      }
    });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    var row = input.closest(".register-row");
    if (input.type === "checkbox" && input.checked && row &&
        !row.querySelector('input[type="radio"]:checked')) {
      // Whoever presented a case was there.
      var present = row.querySelector('input[type="radio"][value="present"]');
      if (present) {
        present.checked = true;
      }
      return;
    }
    if (input.type !== "radio") {
      return;
    }
    var attended = input.value === "present" || input.value === "late";
    var caseBox = row && row.querySelector('input[type="checkbox"]');
    if (caseBox && !attended) {
      caseBox.checked = false;
    }
  });
})();

/* Narrow screens: the header's menu button shows or hides the menu, and a
   list's filter box starts folded. Without this script both are shown. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.querySelector(".menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) { return; }
    button.hidden = false;
    // On a phone, a list's filter box starts folded unless a filter is set.
    if (window.matchMedia("(max-width: 40rem)").matches) {
      var params = new URLSearchParams(window.location.search);
      document.querySelectorAll("details.filters-box").forEach(function (box) {
        var set = false;
        box.querySelectorAll("input[name], select[name]").forEach(function (field) {
          if (field.type !== "hidden" && field.name !== "as_of" && params.get(field.name)) { set = true; }
        });
        if (!set) { box.open = false; }
      });
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    });
  });
}());

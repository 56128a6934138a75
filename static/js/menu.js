/* Narrow screens: the header's menu button shows or hides the menu, a
   list's filter box starts folded, and so do a page's long secondary
   sections (details.fold) but the one the address points into. Without this
   script everything is shown. */
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
      var target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
      document.querySelectorAll("details.fold[open]").forEach(function (section) {
        if (!target || !section.contains(target)) { section.open = false; }
      });
      if (target) { target.scrollIntoView(); }
    }
    // A link into a folded section opens it.
    window.addEventListener("hashchange", function () {
      var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
      var section = target && target.closest("details.fold");
      if (section && !section.open) { section.open = true; target.scrollIntoView(); }
    });
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    });
  });
}());

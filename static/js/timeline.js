/* The timeline chart: the mark under the pointer or the keyboard focus is
   named under the chart as well as in its tooltip (its <title>). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var chart = document.querySelector(".consolidation__chart");
    var out = document.querySelector(".consolidation__focus");
    if (!chart || !out) { return; }
    function show(event) {
      var mark = event.target.closest ? event.target.closest("a.consolidation__mark") : null;
      var title = mark ? mark.querySelector("title") : null;
      if (title) { out.textContent = title.textContent; }
    }
    chart.addEventListener("focusin", show);
    chart.addEventListener("mouseover", show);
  });
}());

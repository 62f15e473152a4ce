/* Renders the profile's diagrams with the site's own copy of mermaid (no CDN).
   Every diagram is a <div class="infoshare-diagram"> holding mermaid source;
   after rendering it holds an <svg>, and data-rendered says how it went, which
   the site's browser test and the PDF step wait for. */
(function () {
  "use strict";
  /* A diagram wider than the column is drawn at a little over half its natural size
     (labels stay legible) and scrolls in its box; a narrow one keeps its size. */
  function size(node) {
    var svg = node.querySelector("svg");
    var box = svg && svg.viewBox && svg.viewBox.baseVal;
    if (!box || !box.width) { return; }
    var column = node.clientWidth || box.width;
    var width = Math.min(box.width, Math.max(column, box.width * 0.55));
    svg.style.width = Math.round(width) + "px";
    svg.removeAttribute("height");
    if (width > column + 1) {
      /* Keyboard users scroll a wide diagram with the arrow keys once it has focus. */
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "group");
      node.setAttribute("aria-label", "Diagram, wider than the page: scroll sideways");
    }
  }
  function render() {
    var nodes = Array.prototype.slice.call(
      document.querySelectorAll("div.infoshare-diagram:not([data-rendered])"));
    if (!nodes.length || typeof window.mermaid === "undefined") {
      document.documentElement.setAttribute("data-diagrams", "done");
      return;
    }
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: "neutral",
      flowchart: { htmlLabels: false, useMaxWidth: false }
    });
    var pending = nodes.map(function (node, index) {
      var source = node.textContent;
      var id = "infoshare-diagram-" + index + "-" + Date.now();
      return window.mermaid.render(id, source).then(function (result) {
        node.innerHTML = result.svg;
        size(node);
        node.setAttribute("data-rendered", "ok");
      }, function (error) {
        node.setAttribute("data-rendered", "error");
        node.setAttribute("title", String(error));
      });
    });
    Promise.all(pending).then(function () {
      document.documentElement.setAttribute("data-diagrams", "done");
    });
  }
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(render);  /* the theme's page-load stream */
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();

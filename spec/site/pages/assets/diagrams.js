/* Renders the profile's diagrams with the site's own copy of mermaid (no CDN).
   Every diagram is a <div class="infoshare-diagram"> holding mermaid source;
   after rendering it holds an <svg>, and data-rendered says how it went, which
   the site's browser test and the PDF step wait for. */
(function () {
  "use strict";
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
      flowchart: { htmlLabels: false, useMaxWidth: true }
    });
    var pending = nodes.map(function (node, index) {
      var source = node.textContent;
      var id = "infoshare-diagram-" + index + "-" + Date.now();
      return window.mermaid.render(id, source).then(function (result) {
        node.innerHTML = result.svg;
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

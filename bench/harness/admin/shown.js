// Injected by timing.py before the page's own scripts (Playwright's add_init_script; the
// page's Content-Security-Policy does not apply to it). Called with the CSS selector of what
// a person waits for (the results table). Records, in ms since the navigation started:
//   painted: when the results were painted, from the browser's Element Timing: every
//            element of the results gets an `elementtiming` attribute as the HTML parser (or
//            htmx) inserts it, and the latest render time reported for them is kept; Chromium
//            reports the elements that hold text (a table's cells);
//   inDom:   when the results are in the DOM and visible, checked once the HTML is parsed
//            (DOMContentLoaded), then on every DOM change (for results htmx swaps in);
//   shown:   the end of the first frame after inDom (a task queued from the frame's
//            animation callbacks runs once its rendering is done).
(selector) => {
  const bench = { painted: null, inDom: null, shown: null };
  window.__adminBench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.painted = Math.max(bench.painted ?? 0, entry.renderTime || entry.loadTime);
    }
  }).observe({ type: "element", buffered: true });
  const mark = (element) => {
    if (!element.hasAttribute("elementtiming")) element.setAttribute("elementtiming", "results");
  };
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE || node.closest(selector) === null) continue;
        mark(node);
        node.querySelectorAll("*").forEach(mark);
      }
    }
  }).observe(document, { childList: true, subtree: true });
  const visible = () => {
    const results = document.querySelector(selector);
    if (results === null || !results.checkVisibility()) return false;
    bench.inDom = performance.now();
    requestAnimationFrame(() => setTimeout(() => { bench.shown = performance.now(); }, 0));
    return true;
  };
  document.addEventListener("DOMContentLoaded", () => {
    if (visible()) return;
    const observer = new MutationObserver(() => { if (visible()) observer.disconnect(); });
    observer.observe(document.body, { childList: true, subtree: true });
  });
}

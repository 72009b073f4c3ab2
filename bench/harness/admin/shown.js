// Injected by bench/harness/admin/timing.py before the page's own scripts (Playwright's
// add_init_script; the page's Content-Security-Policy does not apply to it). Called with the
// CSS selector of the element a person waits for (the results table); records, in ms since
// the navigation started (performance.now()):
//   inDom: when that element is in the DOM and visible: checked once the HTML is parsed
//          (DOMContentLoaded), then on every DOM change (for a table that htmx swaps in);
//   shown: the first frame painted after that (a task queued from the next animation frame
//          runs once that frame's rendering is done);
//   element: the latest Element Timing entry's render time, when an element of the page
//          carries an `elementtiming` attribute.
(selector) => {
  const bench = { inDom: null, shown: null, element: null };
  window.__adminBench = bench;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      bench.element = Math.max(bench.element ?? 0, entry.renderTime || entry.loadTime);
    }
  }).observe({ type: "element", buffered: true });
  const found = () => {
    const element = document.querySelector(selector);
    if (element === null || !element.checkVisibility()) return false;
    bench.inDom = performance.now();
    requestAnimationFrame(() => setTimeout(() => { bench.shown = performance.now(); }, 0));
    return true;
  };
  document.addEventListener("DOMContentLoaded", () => {
    if (found()) return;
    const observer = new MutationObserver(() => { if (found()) observer.disconnect(); });
    observer.observe(document.body, { childList: true, subtree: true });
  });
}

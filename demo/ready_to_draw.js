() => {
  // Gradio 6.31's Sketchpad opens, and reopens after every clear, with no tool selected: it shows
  // "select the draw tool to start" and ignores strokes until the brush is clicked. Click the brush
  // for the visitor whenever no tool of the sketchpad's toolbar is selected (the eraser counts as one).
  // Click only once the page has been still for a moment and the sketchpad shows no spinner, so the
  // click never lands while the editor is still exporting or resetting its canvas.
  const QUIET_MS = 300;
  let timer = null;
  // The brush button while no tool of the pad's toolbar is selected, else null.
  const idleBrush = (pad) => {
    const tools = pad ? pad.querySelectorAll(".toolbar-wrap .half-container:not(.right) button") : [];
    return tools.length && ![...tools].some((tool) => tool.classList.contains("highlight")) ? tools[0] : null;
  };
  const selectBrush = () => {
    const pad = document.querySelector("#sketchpad");
    const tracker = pad && pad.querySelector("[data-testid=status-tracker]");
    if (tracker && !tracker.classList.contains("hide")) return;
    const brush = idleBrush(pad);
    if (brush) brush.click();
  };
  // A stroke begun before that (right after Clear, when a prompt covers the canvas) would be lost: as the
  // pen goes down there, select the brush first, then hand the press to the canvas once it is uncovered.
  document.addEventListener("pointerdown", (event) => {
    const pad = document.querySelector("#sketchpad");
    if (event.handedOver || !pad || !pad.contains(event.target) || event.target.closest("button, .toolbar-wrap, .top-panel")) return;
    const brush = idleBrush(pad);
    if (!brush) return;
    event.stopPropagation();
    brush.click();
    const started = performance.now();
    const handOver = () => {
      const canvas = document.elementFromPoint(event.clientX, event.clientY);
      if (!(canvas instanceof HTMLCanvasElement)) {
        if (performance.now() - started < 1000) requestAnimationFrame(handOver);
        return;
      }
      const press = new PointerEvent("pointerdown", event);
      press.handedOver = true;
      canvas.dispatchEvent(press);
    };
    requestAnimationFrame(handOver);
  }, true);
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(selectBrush, QUIET_MS);
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  selectBrush();
}

() => {
  // Gradio 6.31's Sketchpad opens, and reopens after every clear, with no tool selected: it shows
  // "select the draw tool to start" and ignores strokes until the brush is clicked. Click the brush
  // for the visitor whenever no tool of the sketchpad's toolbar is selected (the eraser counts as one).
  // Click only once the page has been still for a moment and the sketchpad shows no spinner, so the
  // click never lands while the editor is still exporting or resetting its canvas.
  const QUIET_MS = 300;
  let timer = null;
  let reselecting = false;
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
  // Clear (the page's button, or the editor's own, the last of its top panel) leaves no tool selected, and the
  // page stays busy for a second after it (the cleared drawing's answer): waiting for the quiet moment there
  // left the brush unselected ~1.2 s after every Clear. The editor has reset its tools by the next frame or
  // two, so from the click on, the brush is clicked as soon as none is selected (each frame, for a second).
  document.addEventListener("click", (event) => {
    const pad = document.querySelector("#sketchpad");
    const target = event.target instanceof Element ? event.target : null;
    const panel = pad && target && target.closest("#sketchpad .top-panel button");
    if (!pad || !target || !(target.closest("#clear") || (panel && panel === [...pad.querySelectorAll(".top-panel button")].pop()))) return;
    const started = performance.now();
    if (reselecting) return; // the page's Clear clicks the editor's: one watch for both
    reselecting = true;
    const reselect = () => {
      const brush = idleBrush(document.querySelector("#sketchpad"));
      if (brush) brush.click();
      if (brush || performance.now() - started > 1000) reselecting = false;
      else requestAnimationFrame(reselect);
    };
    requestAnimationFrame(reselect);
  }, true);
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(selectBrush, QUIET_MS);
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  selectBrush();
}

() => {
  // Gradio 6.31's Sketchpad opens, and reopens after every clear, with no tool selected: it shows
  // "select the draw tool to start" and ignores strokes until the brush is clicked. Click the brush
  // for the visitor whenever no tool of the sketchpad's toolbar is selected (the eraser counts as one).
  // Click only once the page has been still for a moment and the sketchpad shows no spinner, so the
  // click never lands while the editor is still exporting or resetting its canvas.
  const QUIET_MS = 300;
  let timer = null;
  const selectBrush = () => {
    const pad = document.querySelector("#sketchpad");
    const tracker = pad && pad.querySelector("[data-testid=status-tracker]");
    if (tracker && !tracker.classList.contains("hide")) return;
    const tools = pad ? pad.querySelectorAll(".toolbar-wrap .half-container:not(.right) button") : [];
    if (tools.length && ![...tools].some((tool) => tool.classList.contains("highlight"))) {
      tools[0].click();
    }
  };
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(selectBrush, QUIET_MS);
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  selectBrush();
}

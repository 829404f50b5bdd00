() => {
  // Gradio 6.31's Sketchpad opens, and reopens after every clear, with no tool selected: it shows
  // "select the draw tool to start" and ignores strokes until the brush is clicked. Click the brush
  // for the visitor whenever no tool of the sketchpad's toolbar is selected (the eraser counts as one).
  let pending = false;
  const selectBrush = () => {
    pending = false;
    const tools = document.querySelectorAll("#sketchpad .toolbar-wrap .half-container:not(.right) button");
    if (tools.length && ![...tools].some((tool) => tool.classList.contains("highlight"))) {
      tools[0].click();
    }
  };
  new MutationObserver(() => {
    // Coalesce a burst of DOM changes into one check per frame.
    if (!pending) {
      pending = true;
      requestAnimationFrame(selectBrush);
    }
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  selectBrush();
}

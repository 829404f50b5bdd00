() => {
  // Gradio 6.31's image editor redraws its canvas on every animation frame for half a second after any
  // pointer event on it, though nothing changes once a stroke is done. Where the browser composites
  // without a GPU (software rendering: some virtual machines and older computers, headless Chromium) a
  // redraw costs ~50 ms of the page's only thread, and the ten of them hold back the export of the
  // drawing and the answer by half a second. The editor puts the whole stroke into its layer as the pen
  // lifts, and the next frame shows it; so stop the loop right after that frame. The editor starts it
  // again by itself at the next pointer event or change. A press anywhere else or a key in between
  // (Clear, an example, undo) leaves it running.
  // export_once.js relies on this: while the loop is stopped it hands out its kept read-backs.
  let presses = 0;
  let onCanvas = false;
  document.addEventListener("pointerdown", (event) => {
    presses += 1;
    onCanvas = event.target instanceof HTMLCanvasElement && event.target.closest("#sketchpad") !== null;
  }, true);
  document.addEventListener("keydown", () => { presses += 1; }, true);
  document.addEventListener("pointerup", () => {
    if (!onCanvas) return;
    const stroke = presses;
    // Frame callbacks run in the order asked for: the editor's loop asked for this frame before the pen lifted.
    requestAnimationFrame(() => {
      const app = globalThis.__PIXI_APP__; // the editor's PixiJS application, which Gradio exposes for PixiJS's devtools
      if (app && stroke === presses) app.ticker.stop();
    });
  }, true);
}

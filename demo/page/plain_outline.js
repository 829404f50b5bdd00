() => {
  // Gradio 6.31's image editor shows where its canvas ends with a white rectangle under the drawing that
  // casts a soft drop shadow, a PixiJS filter: blurred in four passes over the whole canvas at every frame
  // the editor draws (each move of the pen, each hover of the cursor). Where the browser renders without
  // a GPU that filter is most of each frame's cost (docs/results.md, "Answer time for a real pointer").
  // Draw the same edge as two thin grey rings instead, where the editor draws its rectangle (after each
  // resize or zoom too); the renderer's own white background already fills the canvas under the drawing.
  let patched = null;
  const patch = () => {
    const app = globalThis.__PIXI_APP__; // the editor's PixiJS application, which Gradio exposes for PixiJS's devtools
    if (!app || app === patched || !app.stage) return;
    // The outline: the first child of the stage's bottom container (zIndex -10), a Graphics with filters.
    // The dark theme draws it without a shadow, and it is left alone there.
    const bottom = app.stage.children.find((child) => child.zIndex === -10);
    const outline = bottom && bottom.children[0];
    if (!outline || !outline.context || !outline.filters || outline.filters.length === 0) return;
    if (app.renderer.background.alpha !== 1 || app.renderer.background.color.toNumber() !== 0xffffff) return;
    patched = app;
    const rect = outline.rect.bind(outline);
    const rings = (x, y, width, height) => {
      rect(x, y, width, height).stroke({ width: 1, color: 0x000000, alpha: 0.14, alignment: 0 });
      rect(x - 1, y - 1, width + 2, height + 2).stroke({ width: 2, color: 0x000000, alpha: 0.05, alignment: 0 });
    };
    // The editor redraws it as clear(), rect(...), fill(...): keep the rectangle, draw rings instead of the fill.
    let box = null;
    outline.rect = (...args) => { box = args; return outline; };
    outline.fill = () => { if (box) rings(...box); return outline; };
    const { x, y, width, height } = outline.getLocalBounds();
    outline.filters = null;
    outline.clear();
    rings(x, y, width, height);
  };
  // The application exists once the page has drawn the editor; the cursor reaches it before any frame matters.
  document.addEventListener("pointerover", patch, true);
  document.addEventListener("pointerdown", patch, true);
}

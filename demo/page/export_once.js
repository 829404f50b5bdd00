() => {
  // The sketchpad exports its drawing (background, layer and composite, each rendered off screen, read
  // back from the GPU and encoded as PNG) once a stroke for the drawing event, and then again, unchanged,
  // each time Gradio's page asks it for its value: while the event gathers its inputs and at every progress
  // update of any event (4-6 more times a stroke). An export costs ~60 ms of the page's only thread in a
  // browser without a GPU. An unchanged canvas has the same pixels, so keep each layer's last read-back
  // and hand out copies while the editor has changed nothing: its render loop is stopped (it starts the
  // loop to show any change) and nothing has been rendered since but these read-backs.
  // Contract with rest_after_stroke.js: that script stops the render loop one frame after each stroke. Without
  // it the loop runs on for half a second, a running loop means "may have changed" here, and every ask is a
  // fresh export again: correct, only slower (tests/test_e2e_browser.py counts the uploads a stroke).
  let patched = null;
  const patch = () => {
    const app = globalThis.__PIXI_APP__; // the editor's PixiJS application, which Gradio exposes for PixiJS's devtools
    if (!app || app === patched || !app.renderer) return;
    patched = app;
    const { renderer, ticker } = app;
    const { extract } = renderer;
    const readBack = extract.pixels.bind(extract);
    const render = renderer.render.bind(renderer);
    const start = ticker.start.bind(ticker);
    const kept = new Map(); // layer container -> {frame, pixels, width, height}
    let reading = false;
    renderer.render = (...args) => {
      if (!reading) kept.clear();
      return render(...args);
    };
    ticker.start = (...args) => {
      kept.clear();
      return start(...args);
    };
    extract.pixels = (options) => {
      if (!options || !options.target) return readBack(options); // the editor always names a layer and a frame
      const { x, y, width, height } = options.frame || {};
      const frame = `${x},${y},${width},${height},${options.resolution}`;
      const last = kept.get(options.target);
      // A copy each time: the editor un-premultiplies the pixels it is given in place.
      if (last && last.frame === frame && !ticker.started) return { ...last, pixels: last.pixels.slice() };
      reading = true;
      try {
        const result = readBack(options);
        if (!ticker.started) kept.set(options.target, { ...result, frame, pixels: result.pixels.slice() });
        return result;
      } finally {
        reading = false;
      }
    };
  };
  // The editor's application exists once the page has drawn it; every export follows a press somewhere.
  document.addEventListener("pointerdown", patch, true);
}

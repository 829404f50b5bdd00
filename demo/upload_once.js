() => {
  // Gradio 6.31's Sketchpad uploads its background, layer and composite PNGs several times per stroke:
  // once for the drawing event, then again, unchanged, up to five times more while the page settles (21
  // uploads for one stroke, each one a request the server parses and stores). The server already holds
  // each of those files, so an upload of exactly the same bytes within a minute is answered here with
  // the path the server gave the first time, and never sent. Any other request passes through untouched.
  const REUSE_MS = 60_000;
  const recent = []; // {bytes: Uint8Array[], body: string, at: number}, newest last
  const send = window.fetch.bind(window);

  const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => v === b[i][j]));

  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const form = init && init.body instanceof FormData ? init.body : null;
    if (!url.includes("/gradio_api/upload") || !form) return send(input, init);
    const files = form.getAll("files").filter((file) => file instanceof Blob);
    const bytes = await Promise.all(files.map(async (file) => new Uint8Array(await file.arrayBuffer())));
    const now = Date.now();
    while (recent.length && now - recent[0].at > REUSE_MS) recent.shift();
    const earlier = recent.find((entry) => sameBytes(entry.bytes, bytes));
    if (earlier) return new Response(earlier.body, { status: 200, headers: { "Content-Type": "application/json" } });
    const response = await send(input, init);
    if (response.ok) recent.push({ bytes, body: await response.clone().text(), at: now });
    return response;
  };
}

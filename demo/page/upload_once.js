() => {
  // Gradio 6.31's Sketchpad uploads its background, layer and composite PNGs several times per stroke:
  // once for the drawing event, then again, unchanged, up to five times more while the page settles (21
  // uploads for one stroke, each one a request the server parses and stores). The server already holds
  // each of those files, so an upload of exactly the same bytes within a minute is answered here with
  // the path the server gave the first time, and never sent. Any other request passes through untouched.
  // Once the page's language has changed (the switch, or Gradio's Settings), Gradio's page sends each
  // stroke's uploads twice at once, the second before the first is answered (5 -> 10 uploads for the same
  // drawing, issue 26): an upload of the same bytes as one still on its way waits for that one's answer.
  const REUSE_MS = 60_000;
  const recent = []; // {bytes: Uint8Array[], body: Promise<string | null>, at: number}, newest last
  const send = window.fetch.bind(window);

  const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x.length === b[i].length && x.every((v, j) => v === b[i][j]));
  const answer = (body) => new Response(body, { status: 200, headers: { "Content-Type": "application/json" } });

  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const form = init && init.body instanceof FormData ? init.body : null;
    if (!url.includes("/gradio_api/upload") || !form) return send(input, init);
    const files = form.getAll("files").filter((file) => file instanceof Blob);
    const bytes = await Promise.all(files.map(async (file) => new Uint8Array(await file.arrayBuffer())));
    const now = Date.now();
    while (recent.length && now - recent[0].at > REUSE_MS) recent.shift();
    const earlier = recent.find((entry) => sameBytes(entry.bytes, bytes));
    if (earlier) {
      const body = await earlier.body; // null: that upload failed, so this one is sent itself
      if (body !== null) return answer(body);
    }
    let settle;
    const forget = () => { const at = recent.indexOf(entry); if (at >= 0) recent.splice(at, 1); };
    const entry = { bytes, body: new Promise((resolve) => { settle = resolve; }), at: now };
    recent.push(entry);
    try {
      const response = await send(input, init);
      const body = response.ok ? await response.clone().text() : null;
      settle(body);
      if (body === null) forget();
      return response;
    } catch (error) {
      settle(null);
      forget();
      throw error;
    }
  };
}

(strings) => {
  // A screen reader should say what the network answered after each stroke ("It's a 4 (97% sure)"), not
  // the whole answer panel: a polite live region, visually hidden, holds the answer's verdict line (its
  // heading), and is rewritten whenever the answer changes. The region exists before the first answer,
  // as live regions must, or the first change is not spoken.
  const region = document.createElement("div");
  region.id = "answer-live";
  region.className = "visually-hidden";
  region.setAttribute("aria-live", "polite");
  region.setAttribute("role", "status");
  document.body.appendChild(region);
  const verdict = () => {
    const answer = document.querySelector("#answer");
    if (!answer) return;
    const line = answer.querySelector("h1, h2, h3, p");
    const text = (line ? line.textContent : answer.textContent).trim();
    if (text && region.textContent !== text) region.textContent = text;
  };
  new MutationObserver(verdict).observe(document.body, { subtree: true, childList: true, characterData: true });
  verdict();
}

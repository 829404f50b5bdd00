(strings) => {
  // A screen reader should say what the network answered after each stroke ("It's a 4 (97% sure)", then
  // why): the answer panel (#answer) becomes a polite live region, so each new answer is spoken once the
  // reader is idle. It is marked as soon as it exists, before the first answer, as live regions must be,
  // or the first change goes unspoken. (Its own element, not a copy: the page shows each sentence once.)
  const mark = () => {
    const answer = document.querySelector("#answer");
    if (!answer) return false;
    answer.setAttribute("aria-live", "polite");
    return true;
  };
  if (mark()) return;
  const observer = new MutationObserver(() => mark() && observer.disconnect());
  observer.observe(document.body, { subtree: true, childList: true });
}

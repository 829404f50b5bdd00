(strings) => {
  // Gradio 6.31 draws each example drawing as a button holding an <img alt="">, so a screen reader meets
  // five nameless buttons. Name each by the digit it shows (the file names start with it: 2_00018.png),
  // in the page's language, and again whenever the examples are redrawn or the language changes.
  const names = strings["draw.example_name"];
  const nameOf = (digit) => (names[document.documentElement.lang] || names.en).replace("{digit}", digit);
  const nameAll = () => {
    for (const button of document.querySelectorAll("#examples button.gallery-item")) {
      const match = (button.querySelector("img")?.getAttribute("src") || "").match(/\/(\d)_[^/]*$/);
      const name = match ? nameOf(match[1]) : null;
      if (name && button.getAttribute("aria-label") !== name) button.setAttribute("aria-label", name);
    }
  };
  new MutationObserver(nameAll).observe(document.documentElement, {
    subtree: true, childList: true, attributes: true, attributeFilter: ["lang", "src"],
  });
  nameAll();
}

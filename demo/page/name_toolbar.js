(strings) => {
  // Gradio's image editor names its toolbar's buttons (aria-label and title: Brush, Erase, Zoom in…) once, when
  // it is first drawn, in the language Gradio started in; a later change of language leaves them as they were.
  // That happens on the page switch, and to every browser whose language is plain "zh": Gradio only knows
  // zh-CN and zh-TW, starts such a page in English, and the page then turns it to zh-CN (follow_language.js).
  // So whenever <html lang> changes, or the toolbar shows another button, each button named with a word of
  // one language (strings: {key: {language: word}}) is renamed with that key's word in the page's language.
  const rename = () => {
    const language = document.documentElement.lang;
    for (const button of document.querySelectorAll("#sketchpad button[aria-label]")) {
      const label = button.getAttribute("aria-label");
      const words = Object.values(strings).find((each) => Object.values(each).includes(label));
      const word = words && words[language];
      if (!word || word === label) continue;
      button.setAttribute("aria-label", word);
      if (button.hasAttribute("title")) button.setAttribute("title", word);
    }
  };
  new MutationObserver(rename).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  const sketchpad = document.querySelector("#sketchpad");
  if (sketchpad) new MutationObserver(rename).observe(sketchpad, { subtree: true, childList: true });
  rename();
}

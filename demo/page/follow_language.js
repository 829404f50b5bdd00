(strings) => {
  // Gradio translates the page's static words in the browser, in the language its own locale store holds
  // (from the browser's language at first). The page's language switch (#language) sets that store through
  // changeLocale, the function Gradio's own Settings panel calls, taken from the module Gradio's page
  // already loaded (same URL: the same module, the same store). The other way round, when the visitor picks
  // a language in Gradio's Settings panel (<html lang> changes), the switch follows, so the server's words
  // follow too.
  const gradioCore = () =>
    performance.getEntriesByType("resource").map((entry) => entry.name).find((url) => /\/assets\/core-[\w-]+\.js$/.test(url));
  window.mnistSetLanguage = async (language) => {
    const url = gradioCore();
    if (!url || document.documentElement.lang === language) return;
    const core = await import(url);
    if (typeof core.changeLocale === "function") core.changeLocale(language);
  };
  const switchTo = (language) => {
    const choice = document.querySelector(`#language input[type=radio][value="${language}"]`);
    if (choice && !choice.checked) choice.click();
  };
  new MutationObserver(() => switchTo(document.documentElement.lang)).observe(document.documentElement, {
    attributes: true, attributeFilter: ["lang"],
  });
}

// docgen's pages need little script: htmx does the swapping; this keeps typing in Chinese whole.
//
// A pinyin input method fires "input" for every letter while it composes ("huayi" before 华艺).
// Those events are stopped before htmx sees them: the search and the draft's autosave wait for the
// composed characters (the browser sends one more "input" when composition ends).
window.addEventListener("input", (event) => {
  if (event.isComposing) {
    event.stopImmediatePropagation();
  }
}, true);

// Keyboard shortcuts of the staff pages. Progressive enhancement: every shortcut is also a
// link with an accesskey, and everything works without this file.
// Alt+<key> clicks the element marked data-shortcut="<KeyboardEvent.code>" (e.g. Alt+A prints
// the receipt just issued on A4, Alt+S on A5).
"use strict";
document.addEventListener("keydown", function (event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.repeat) {
    return;
  }
  var target = document.querySelector('[data-shortcut="' + event.code + '"]');
  if (target) {
    event.preventDefault();
    target.click();
  }
});

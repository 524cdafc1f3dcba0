// Bình Yên — progressive enhancement only. Every page works without this file.
"use strict";

// The verdict preview of a facts form: as the officer types, post the form (with its CSRF
// field) to the preview endpoint, at most every 400 ms, and swap the panel. Nothing is saved.
(function () {
  const form = document.getElementById("facts-form");
  if (!form || !form.dataset.preview) return;
  let timer = null;
  let sent = 0;
  const refresh = function () {
    const mine = ++sent;
    fetch(form.dataset.preview, {
      method: "POST",
      credentials: "same-origin",
      body: new URLSearchParams(new FormData(form)),
    })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        const panel = document.getElementById("preview");
        if (html && panel && mine === sent) panel.outerHTML = html;
      })
      .catch(function () { /* the panel keeps its last verdicts */ });
  };
  const later = function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();

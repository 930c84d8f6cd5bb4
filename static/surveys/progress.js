/* Batch page: while the batch is read and compared, poll its progress and reload when done. */
(function () {
  var box = document.getElementById("batch-status");
  if (!box || box.dataset.running !== "1") return;
  var bar = document.getElementById("batch-progress");
  var text = document.getElementById("progress-text");
  var status = document.getElementById("status-text");
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.value = data.progress;
        text.textContent = data.progress + "%";
        status.textContent = data.status_display;
        if (data.running) { setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();

// After a code is sent the resend button waits out the server's 60 s throttle, showing the
// seconds left, so a worker neither taps in vain nor waits for an SMS that will not come.
(function () {
  var button = document.getElementById("resend");
  var wait = document.getElementById("resend-wait");
  if (!button || !wait) return;
  var left = parseInt(button.dataset.retryAfter || "0", 10);
  if (!(left > 0)) return;
  var until = Date.now() + left * 1000;
  button.disabled = true;
  function tick() {
    var s = Math.ceil((until - Date.now()) / 1000);
    if (s <= 0) {
      button.disabled = false;
      wait.textContent = "";
      return;
    }
    wait.textContent = s + " 秒后可重新获取";
    setTimeout(tick, 500);
  }
  tick();
})();

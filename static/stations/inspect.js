// 六个一 inspection on a phone: one checklist item per screen. Without this script every item
// shows on one page and the form still works.
(function () {
  var form = document.getElementById("inspect-form");
  if (!form) return;
  var steps = Array.prototype.slice.call(form.querySelectorAll(".step"));
  var progress = document.getElementById("stepper-progress");
  var prev = document.getElementById("step-prev");
  var next = document.getElementById("step-next");
  var nav = document.getElementById("stepnav");
  var index = 0;
  // After a failed submit, start at the first item still without an answer.
  for (var i = 0; i < steps.length; i++) {
    if (steps[i].dataset.item && !steps[i].querySelector("input[type=radio]:checked")) { index = i; break; }
  }
  form.classList.add("stepper");
  nav.hidden = false;
  function show(n) {
    index = Math.max(0, Math.min(steps.length - 1, n));
    steps.forEach(function (s, k) { s.classList.toggle("current", k === index); });
    progress.textContent = "第 " + (index + 1) + " 步，共 " + steps.length + " 步";
    prev.disabled = index === 0;
    next.hidden = index === steps.length - 1;
    var focusable = steps[index].querySelector("input");
    if (focusable) focusable.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  prev.addEventListener("click", function () { show(index - 1); });
  next.addEventListener("click", function () { show(index + 1); });
  // A passed item moves on by itself (one tap); a failed one stays for a note on what is wrong.
  form.addEventListener("change", function (e) {
    if (e.target.type === "radio" && e.target.value === "1" && index < steps.length - 1) { show(index + 1); }
  });
  show(index);
})();

// Small behaviours the pages ask for through data attributes. The Content-Security-Policy
// (script-src 'self') blocks inline handlers such as onclick="window.print()", so they live here:
//   <button data-print>                          prints the page
//   <form data-confirm="…">                      asks before submitting; "取消" submits nothing
//   <input type="file" data-show-name="ELEMENT-ID">  writes the chosen file's name into ELEMENT-ID
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var input = event.target;
    var target = input.getAttribute && input.getAttribute("data-show-name");
    if (!target) return;
    var out = document.getElementById(target);
    if (out) out.textContent = input.files && input.files.length ? "已选择：" + input.files[0].name : "";
  });
})();

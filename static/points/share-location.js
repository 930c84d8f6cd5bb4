// Kept out of the page so the Content-Security-Policy can forbid inline scripts.
document.getElementById("share-location").addEventListener("click", function () {
  var status = document.getElementById("location-status");
  if (!navigator.geolocation) { status.textContent = "此浏览器不支持定位"; return; }
  status.textContent = "正在定位…";
  navigator.geolocation.getCurrentPosition(function (pos) {
    document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
    document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
    status.textContent = "已获取位置";
  }, function () { status.textContent = "未能获取位置，可填写位置描述"; }, {timeout: 8000});
});

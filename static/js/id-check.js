// Inline check of a resident ID number while it is typed: check digit, birth date, sex.
// The server checks again; this only saves a round trip. No inline script (CSP).
(function () {
  var input = document.querySelector("[data-id-check]");
  var out = document.getElementById("id-preview");
  if (!input || !out) return;
  var W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], C = "10X98765432";
  function normalise(v) {
    return v.replace(/[\s\u3000]/g, "").replace(/[\uff10-\uff19]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0); }).replace(/[xｘＸ]/g, "X");
  }
  function check() {
    var v = normalise(input.value);
    if (!v) { out.textContent = ""; return; }
    if (v.length !== 18) { out.textContent = "身份证号应为18位，当前为" + v.length + "位"; return; }
    if (!/^\d{17}[\dX]$/.test(v)) { out.textContent = "身份证号只能是数字，最后一位可为X"; return; }
    var s = 0; for (var i = 0; i < 17; i++) s += W[i] * +v[i];
    if (C[s % 11] !== v[17]) { out.textContent = "身份证号校验位不正确，请核对"; return; }
    var y = +v.substr(6, 4), m = +v.substr(10, 2), d = +v.substr(12, 2), b = new Date(y, m - 1, d);
    if (b.getFullYear() !== y || b.getMonth() !== m - 1 || b.getDate() !== d) {
      out.textContent = "身份证号中的出生日期不存在"; return; }
    out.textContent = "出生日期 " + y + "年" + m + "月" + d + "日，性别 " + (+v[16] % 2 ? "男" : "女");
  }
  input.addEventListener("input", check);
  input.addEventListener("blur", check);
})();

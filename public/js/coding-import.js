// Codebook import: a chosen file fills the text area (without JavaScript, the CSV is pasted).
(function () {
  var input = document.getElementById('fichier');
  var area = document.getElementById('csv');
  if (!input || !area || !window.FileReader) return;
  input.closest('.js-only').hidden = false;
  input.addEventListener('change', function () {
    var file = input.files && input.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { area.value = String(reader.result).replace(/^\uFEFF/, ''); };
    reader.readAsText(file, 'utf-8');
  });
})();

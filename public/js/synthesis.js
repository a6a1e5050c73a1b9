// The synthesis prints without this script (the browser's own « Imprimer »); it only wires the
// button that opens the print dialog, shown when the script runs.
document.querySelectorAll('[data-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
});

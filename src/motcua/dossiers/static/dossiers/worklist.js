// Worklist: "select all on this page" for bulk assignment. Without JavaScript each row's box still works.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.classList || !box.classList.contains("wl-select-all")) return;
  var form = box.closest("form");
  form.querySelectorAll('input[name="dossiers"]').forEach(function (row) { row.checked = box.checked; });
});

// The documents panel: drag-and-drop upload, the list with size and date, delete, rebuild with progress.
import { apiJson, jsonBody } from "./api.js";
import { language, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 400;

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function documentRow(document_, onDelete) {
  const row = document.createElement("tr");
  const date = new Date(document_.modified * 1000).toLocaleString(language === "zh" ? "zh-CN" : "en");
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "secondary";
  remove.textContent = t("delete");
  remove.setAttribute("aria-label", `${t("delete")} ${document_.id}`);
  remove.addEventListener("click", () => onDelete(document_.id));
  const actions = document.createElement("td");
  actions.append(remove);
  row.append(cell(document_.id), cell(formatBytes(document_.bytes)), cell(date), actions);
  return row;
}

function report(id, message) {
  $(id).textContent = message;
}

export async function refreshDocuments() {
  const { documents } = await apiJson("/v1/documents");
  const rows = documents.map((d) => documentRow(d, deleteDocument));
  if (!rows.length) {
    const empty = cell(t("noDocuments"));
    empty.colSpan = 4;
    const row = document.createElement("tr");
    row.append(empty);
    rows.push(row);
  }
  $("document-list").replaceChildren(...rows);
}

async function deleteDocument(id) {
  try {
    await apiJson(`/v1/documents/${encodeURIComponent(id)}`, { method: "DELETE" });
    report("upload-status", t("deleted", { name: id }));
    await refreshDocuments();
  } catch (error) {
    report("upload-status", t("failed", { message: error.message }));
  }
}

async function upload(files) {
  if (!files.length) return;
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  report("upload-status", t("uploading", { count: files.length }));
  try {
    const { documents } = await apiJson("/v1/documents", { method: "POST", body: form });
    report("upload-status", t("uploaded", { names: documents.map((d) => d.id).join(", ") }));
    await refreshDocuments();
  } catch (error) {
    report("upload-status", t("failed", { message: error.message }));
  }
}

function showProgress(job) {
  const bar = $("rebuild-progress");
  bar.hidden = false;
  bar.max = Math.max(job.progress.total, 1);
  bar.value = job.progress.done;
  report("rebuild-status", t("rebuilding", job.progress));
}

function showResult(job) {
  const bar = $("rebuild-progress");
  bar.value = bar.max;
  if (job.state === "succeeded") {
    report("rebuild-status", t("rebuilt", { documents: job.details.documents, chunks: job.details.chunks }));
  } else {
    report("rebuild-status", t("rebuildFailed", { error: job.error }));
  }
  const items = job.skipped.map((skip) => {
    const li = document.createElement("li");
    li.textContent = t("skipped", skip);
    return li;
  });
  $("skipped").replaceChildren(...items);
}

async function rebuild() {
  const button = $("rebuild");
  button.disabled = true;
  $("skipped").replaceChildren();
  try {
    const started = await apiJson("/v1/index/rebuild", jsonBody("POST", {}));
    let job = await apiJson(started.location);
    while (job.state === "running") {
      showProgress(job);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await apiJson(started.location);
    }
    showResult(job);
  } catch (error) {
    report("rebuild-status", t("failed", { message: error.message }));
  } finally {
    button.disabled = false;
  }
}

function setUpDropzone() {
  const zone = $("dropzone");
  const input = $("file-input");
  zone.addEventListener("click", () => input.click());
  zone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", () => {
    upload([...input.files]);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    upload([...event.dataTransfer.files]);
  });
}

export function setUpDocuments() {
  setUpDropzone();
  $("rebuild").addEventListener("click", rebuild);
}

// Requests to /v1 on this origin, with the key the server asks for kept in the tab's session storage.
import { t } from "./i18n.js";

const KEY_ITEM = "fallback-assistant.key";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function storedKey() {
  return sessionStorage.getItem(KEY_ITEM);
}

function withKey(init) {
  const headers = new Headers(init.headers || {});
  const key = storedKey();
  if (key) headers.set("Authorization", `Bearer ${key}`);
  return { ...init, headers };
}

/** The error message of an error body `{"error": {"message"}}`, or the status text. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    return body?.error?.message || body?.detail || response.statusText;
  } catch {
    return response.statusText || String(response.status);
  }
}

let pendingKey = null;

/** Ask for a key in the key dialog (one dialog for concurrent refusals); the key, or null if cancelled. */
function askForKey(reason) {
  pendingKey ??= promptForKey(reason).finally(() => {
    pendingKey = null;
  });
  return pendingKey;
}

function promptForKey(reason) {
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-reason").textContent = reason;
  input.value = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "ok" && input.value.trim() ? input.value.trim() : null),
      { once: true },
    );
    document.getElementById("key-cancel").onclick = () => dialog.close("cancel");
    dialog.returnValue = "";
    dialog.showModal();
    input.focus();
  });
}

/**
 * fetch(path) with the stored key. On 401 the page asks for a key (once per refusal), keeps it for
 * this tab and retries; a refused key is forgotten and reported as an ApiError with a clear message.
 */
export async function apiFetch(path, init = {}) {
  let response = await fetch(path, withKey(init));
  if (response.status !== 401) return response;
  const message = await errorMessage(response);
  const hadKey = Boolean(storedKey());
  sessionStorage.removeItem(KEY_ITEM);
  const key = await askForKey(t(hadKey ? "unauthorized" : "keyNeeded", { message }));
  if (!key) throw new ApiError(401, t("unauthorized", { message }));
  sessionStorage.setItem(KEY_ITEM, key);
  response = await fetch(path, withKey(init));
  if (response.status === 401) {
    sessionStorage.removeItem(KEY_ITEM);
    throw new ApiError(401, t("unauthorized", { message: await errorMessage(response) }));
  }
  return response;
}

/** apiFetch, then the JSON body; an ApiError with the server's message when the status is not 2xx. */
export async function apiJson(path, init = {}) {
  const response = await apiFetch(path, init);
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return response.json();
}

export function jsonBody(method, body) {
  return { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

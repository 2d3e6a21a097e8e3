// The chat page's entry point: translate, then wire the chat, the documents and the thresholds panels.
import { setUpChat } from "./chat.js";
import { refreshDocuments, setUpDocuments } from "./documents.js";
import { t, translatePage } from "./i18n.js";
import { refreshThresholds, setUpThresholds } from "./thresholds.js";

function showNotice(message) {
  const notice = document.getElementById("notice");
  notice.textContent = message;
  notice.hidden = false;
}

/** A header button that shows or hides its panel, loading the panel's data when it opens. */
function panelToggle(buttonId, panelId, load) {
  const button = document.getElementById(buttonId);
  const panel = document.getElementById(panelId);
  button.addEventListener("click", async () => {
    const open = panel.hidden;
    panel.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (!open) return;
    try {
      await load();
    } catch (error) {
      showNotice(t("failed", { message: error.message }));
    }
  });
}

async function start() {
  translatePage();
  setUpChat();
  setUpDocuments();
  panelToggle("toggle-documents", "documents-panel", refreshDocuments);
  panelToggle("toggle-settings", "settings-panel", refreshThresholds);
  try {
    await setUpThresholds();
  } catch (error) {
    showNotice(t("failed", { message: error.message }));
  }
}

start();

// The conversation: history sent as OpenAI messages, streamed answers with live stages, stop and clear.
import { renderHow, citationChip } from "./answer_view.js";
import { apiFetch, errorMessage } from "./api.js";
import { t } from "./i18n.js";
import { renderMarkdown } from "./markdown.js";
import { readEvents } from "./stream.js";

const history = [];
let controller = null;

const $ = (id) => document.getElementById(id);

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = `message ${role}`;
  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.textContent = `${t(role === "user" ? "you" : "assistant")}: `;
  const body = document.createElement("div");
  body.className = "text";
  body.append(renderMarkdown(text));
  item.append(who, body);
  $("messages").append(item);
  $("empty-hint").hidden = true;
  item.scrollIntoView({ block: "end" });
  return item;
}

function setBusy(busy) {
  $("send").disabled = busy;
  $("stop").hidden = !busy;
}

function requestBody() {
  const body = { messages: history, stream: true, stream_options: { include_usage: true } };
  const profile = $("conversation-profile").value;
  if (profile) body.fallback = { profile };
  return body;
}

/** What one streamed answer shows while it arrives: its stage, its text, then how it was reached. */
class AnswerView {
  constructor() {
    this.item = addMessage("assistant", "");
    this.stage = document.createElement("p");
    this.stage.className = "stage";
    this.stage.setAttribute("role", "status");
    this.item.append(this.stage);
    this.text = "";
  }

  setStage(stage) {
    this.stage.textContent = t(`stage.${stage}`);
  }

  addText(piece) {
    this.text += piece;
    this.item.querySelector(".text").replaceChildren(renderMarkdown(this.text));
  }

  finish(fallback, model) {
    this.stage.remove();
    const citations = fallback.citations || [];
    const chip = (n) => citationChip(citations, n);
    this.item.querySelector(".text").replaceChildren(renderMarkdown(this.text, chip));
    this.item.append(renderHow(fallback, model));
    this.item.dataset.route = fallback.route;
  }

  fail(message) {
    this.stage.remove();
    this.item.classList.add("error");
    const note = document.createElement("p");
    note.textContent = message;
    this.item.append(note);
  }
}

function handleEvent(view, event) {
  if (event === "[DONE]") return;
  if (event.error) throw new Error(event.error.message);
  if (event.fallback?.stage) view.setStage(event.fallback.stage);
  const choice = event.choices?.[0];
  if (choice?.delta?.content) view.addText(choice.delta.content);
  if (event.fallback?.route) view.finish(event.fallback, event.model);
}

async function ask(question) {
  addMessage("user", question);
  history.push({ role: "user", content: question });
  const view = new AnswerView();
  view.setStage("answering");
  controller = new AbortController();
  setBusy(true);
  try {
    const init = { method: "POST", headers: { "Content-Type": "application/json" } };
    const response = await apiFetch("/v1/chat/completions", {
      ...init, body: JSON.stringify(requestBody()), signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    await readEvents(response, (event) => handleEvent(view, event));
    history.push({ role: "assistant", content: view.text });
  } catch (error) {
    view.fail(error.name === "AbortError" ? t("stopped") : t("failed", { message: error.message }));
  } finally {
    controller = null;
    setBusy(false);
  }
}

function clearConversation() {
  controller?.abort();
  history.length = 0;
  $("messages").replaceChildren();
  $("empty-hint").hidden = false;
  $("question").focus();
}

export function setUpChat() {
  const input = $("question");
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question || controller) return;
    input.value = "";
    ask(question);
  });
  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; Enter that ends an IME composition (Chinese) does not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("stop").addEventListener("click", () => controller?.abort());
  $("clear").addEventListener("click", clearConversation);
  input.focus();
}

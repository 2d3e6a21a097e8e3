// How an answer was reached: route badge, confidence bar, citation chips, samples, token usage, model.
import { t } from "./i18n.js";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const percent = (value) => `${Math.round(Math.max(0, Math.min(1, value)) * 100)}%`;

/** Open the passage dialog on citation `citation` ({id, source, chunk_id, position?, score, text}). */
export function showPassage(citation) {
  const position = citation.position == null ? "" : `${citation.position} · `;
  document.getElementById("passage-title").textContent = t("passage", { n: citation.id });
  document.getElementById("passage-source").textContent = citation.source;
  document.getElementById("passage-position").textContent = `${position}${citation.chunk_id}`;
  document.getElementById("passage-score").textContent = Number(citation.score).toFixed(3);
  document.getElementById("passage-text").textContent = citation.text;
  document.getElementById("passage-dialog").showModal();
}

/** A `[n]` button opening citation n, or null when the answer has no such citation. */
export function citationChip(citations, n) {
  const citation = citations.find((c) => c.id === n);
  if (!citation) return null;
  const chip = element("button", "chip", `[${n}]`);
  chip.type = "button";
  chip.title = citation.source;
  chip.setAttribute("aria-label", `${t("passage", { n })}: ${citation.source}`);
  chip.addEventListener("click", () => showPassage(citation));
  return chip;
}

function confidenceMeter(label, value) {
  const wrap = element("span", "confidence");
  wrap.append(element("span", "", `${label} ${value.toFixed(2)}`));
  const bar = element("span", "confidence-bar");
  bar.setAttribute("role", "meter");
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", "1");
  bar.setAttribute("aria-valuenow", value.toFixed(2));
  bar.setAttribute("aria-label", label);
  const fill = element("span", "confidence-fill");
  fill.style.width = percent(value);
  fill.style.display = "block";
  bar.append(fill);
  wrap.append(bar);
  return wrap;
}

function sourcesRow(citations) {
  const row = element("div", "how-row sources");
  row.append(element("span", "", `${t("citations")}:`));
  for (const citation of citations) {
    row.append(citationChip(citations, citation.id), element("span", "source-name", citation.source));
  }
  return row;
}

function samplesDetails(fallback) {
  const samples = fallback.samples || [];
  const details = element("details", "samples-details");
  // No samples: the closed-book answer's token certainty decided alone (or it was a refusal).
  const summary = samples.length
    ? t("samplesSummary", { count: samples.length, agreement: fallback.agreement.toFixed(2) })
    : t("samplesSkipped");
  details.append(element("summary", "", summary));
  if (fallback.parametric_answer) {
    details.append(element("p", "", t("mainAnswer", { answer: fallback.parametric_answer })));
  }
  const list = element("ol", "samples");
  for (const sample of samples) list.append(element("li", "", sample));
  details.append(list);
  if (fallback.withheld_answer) {
    const confidence = (fallback.grounded_confidence ?? 0).toFixed(2);
    details.append(element("p", "withheld", t("withheldAnswer", { answer: fallback.withheld_answer, confidence })));
  }
  if (fallback.grounded_agreement != null) {
    const agreement = fallback.grounded_agreement.toFixed(2);
    details.append(element("p", "", t("groundedAgreement", { agreement })));
  }
  return details;
}

function usageLine(usage) {
  const calls = usage.generate_calls ?? "?";
  const text = t("usage", {
    total: usage.total_tokens, prompt: usage.prompt_tokens, completion: usage.completion_tokens, calls,
  });
  return element("p", "usage", text);
}

const seconds = (ms) => (ms / 1000).toFixed(ms < 1000 ? 2 : 1);

/** A model stage's time and, when the backend measured it, its prompt / generating / waiting split. */
function stageTime(name, timings) {
  const total = t(`time.${name}`, { s: seconds(timings[name]) });
  if (!(timings[`${name}_prefill`] > 0)) return total;
  const parts = { prompt: "prefill", decode: "decode", wait: "wait" };
  const split = Object.entries(parts).map(
    ([key, part]) => t(`time.${key}`, { s: seconds(timings[`${name}_${part}`]) }),
  );
  return `${total} (${split.join(", ")})`;
}

/** Where the answer's time went: the stages that ran, each model stage split when measured. */
function timingsLine(fallback) {
  const timings = fallback.timings_ms;
  const stages = [stageTime("sampling", timings)];
  if (fallback.grounded_support != null || timings.retrieval > 0) {
    stages.push(t("time.retrieval", { s: seconds(timings.retrieval) }));
  }
  if (fallback.grounded_support != null) stages.push(stageTime("grounded", timings));
  return element("p", "timings", t("time", { total: seconds(timings.total), stages: stages.join(" · ") }));
}

/** The "how it was answered" block of one answer, from the `fallback` object of the response and
 * the `model` that answered (`ASSISTANT_MODEL=auto` picks it by CPU, so the page says which). */
export function renderHow(fallback, model) {
  const how = element("section", "how");
  const row = element("div", "how-row");
  const badge = element("span", `badge ${fallback.route}`, t(`route.${fallback.route}`));
  badge.dataset.route = fallback.route;
  // The calibrated probability that the answer given is right (of the best one withheld on abstain).
  row.append(badge, confidenceMeter(t("confidence"), fallback.confidence));
  if (fallback.grounded_support != null) row.append(confidenceMeter(t("support"), fallback.grounded_support));
  how.append(row);
  if (fallback.citations?.length) how.append(sourcesRow(fallback.citations));
  how.append(samplesDetails(fallback));
  if (fallback.timings_ms) how.append(timingsLine(fallback));
  if (fallback.usage) how.append(usageLine(fallback.usage));
  if (model) how.append(element("p", "model", t("model", { model })));
  return how;
}

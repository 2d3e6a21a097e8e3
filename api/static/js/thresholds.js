// Thresholds: the server's profile and confidence levels as sliders (GET/PATCH /v1/config/thresholds),
// and the profile override of this conversation.
import { apiJson, jsonBody } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
// The thresholds shown as sliders, with the ranges of assistant/thresholds.py.
const SLIDERS = [
  { name: "min_confidence_parametric", min: 0, max: 1, step: 0.01 },
  { name: "min_confidence_grounded", min: 0, max: 1, step: 0.01 },
  { name: "n_samples", min: 1, max: 16, step: 1 },
];
let profiles = {};

function option(value, text) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
}

function slider({ name, min, max, step }, value, description) {
  const wrap = document.createElement("div");
  wrap.className = "slider";
  const label = document.createElement("label");
  label.htmlFor = `threshold-${name}`;
  const title = document.createElement("span");
  title.textContent = name;
  const shown = document.createElement("output");
  shown.id = `threshold-${name}-value`;
  shown.textContent = String(value);
  label.append(title, shown);
  const input = document.createElement("input");
  Object.assign(input, { type: "range", id: `threshold-${name}`, min, max, step, value });
  input.dataset.threshold = name;
  input.addEventListener("input", () => {
    shown.textContent = input.value;
    $("server-profile").value = matchingProfile(sliderValues());
  });
  const help = document.createElement("small");
  help.textContent = description || "";
  wrap.append(label, input, help);
  return wrap;
}

function sliderValues() {
  const values = {};
  for (const input of document.querySelectorAll("#sliders input[data-threshold]")) {
    values[input.dataset.threshold] = Number(input.value);
  }
  return values;
}

function setSliders(values) {
  for (const input of document.querySelectorAll("#sliders input[data-threshold]")) {
    input.value = values[input.dataset.threshold];
    $(`${input.id}-value`).textContent = input.value;
  }
}

/** The profile whose slider values are all equal to `values`, or "" (custom). */
function matchingProfile(values) {
  const same = ([, profile]) => Object.entries(values).every(([k, v]) => Math.abs(profile[k] - v) < 1e-9);
  return Object.entries(profiles).find(same)?.[0] ?? "";
}

async function loadProfiles() {
  ({ profiles } = await apiJson("/v1/config/profiles"));
  for (const select of [$("conversation-profile"), $("server-profile")]) {
    select.append(...Object.keys(profiles).map((name) => option(name, name)));
  }
}

export async function refreshThresholds() {
  const { thresholds, fields } = await apiJson("/v1/config/thresholds");
  $("sliders").replaceChildren(...SLIDERS.map((s) => slider(s, thresholds[s.name], fields[s.name])));
  $("server-profile").value = matchingProfile(sliderValues());
}

async function save(event) {
  event.preventDefault();
  const profile = $("server-profile").value;
  const changes = profile ? { profile, ...sliderValues() } : sliderValues();
  try {
    const { thresholds } = await apiJson("/v1/config/thresholds", jsonBody("PATCH", changes));
    setSliders(thresholds);
    $("settings-status").textContent = t("saved");
  } catch (error) {
    $("settings-status").textContent = t("failed", { message: error.message });
  }
}

export async function setUpThresholds() {
  $("thresholds-form").addEventListener("submit", save);
  $("server-profile").addEventListener("change", () => {
    const chosen = profiles[$("server-profile").value];
    if (chosen) setSliders(chosen);
  });
  await loadProfiles();
}

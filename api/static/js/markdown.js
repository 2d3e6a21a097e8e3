// A tiny, safe Markdown subset built as DOM nodes: paragraphs, lists, **bold**, `code`, and [n] citations.
// No HTML string is ever parsed, so text from answers or documents can never become markup.

const INLINE = /(`[^`\n]+`|\*\*[^*\n]+\*\*|\[\d+\])/;
const BULLET = /^\s*[-*]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

/** Append `text`'s inline pieces to `parent`; `citation(n)` makes the node of a [n] marker, or null. */
function appendInline(parent, text, citation) {
  for (const piece of text.split(INLINE)) {
    if (!piece) continue;
    if (piece.startsWith("`") && piece.endsWith("`") && piece.length > 2) {
      const code = document.createElement("code");
      code.textContent = piece.slice(1, -1);
      parent.append(code);
    } else if (piece.startsWith("**") && piece.endsWith("**") && piece.length > 4) {
      const strong = document.createElement("strong");
      strong.textContent = piece.slice(2, -2);
      parent.append(strong);
    } else if (/^\[\d+\]$/.test(piece) && citation) {
      parent.append(citation(Number(piece.slice(1, -1))) ?? piece);
    } else {
      parent.append(document.createTextNode(piece));
    }
  }
}

function listItems(lines, pattern) {
  const matches = lines.map((line) => pattern.exec(line));
  return matches.every(Boolean) ? matches.map((m) => m[1]) : null;
}

function renderBlock(block, citation) {
  const lines = block.split("\n");
  for (const [pattern, tag] of [[BULLET, "ul"], [NUMBERED, "ol"]]) {
    const items = listItems(lines, pattern);
    if (items) {
      const list = document.createElement(tag);
      for (const item of items) {
        const li = document.createElement("li");
        appendInline(li, item, citation);
        list.append(li);
      }
      return list;
    }
  }
  const paragraph = document.createElement("p");
  lines.forEach((line, i) => {
    if (i > 0) paragraph.append(document.createElement("br"));
    appendInline(paragraph, line, citation);
  });
  return paragraph;
}

/** `text` as a fragment of safe nodes; `citation(n)` (optional) returns the node for a [n] marker. */
export function renderMarkdown(text, citation = null) {
  const fragment = document.createDocumentFragment();
  const blocks = String(text).replace(/\r\n?/g, "\n").split(/\n\s*\n/);
  for (const block of blocks) {
    if (block.trim()) fragment.append(renderBlock(block.trim(), citation));
  }
  return fragment;
}

"""The chat page at `/`: served with a strict Content-Security-Policy, every file it names exists, and
its scripts never turn text into markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from api.routes.page import STATIC_DIR
from assistant.backends.scripted import ScriptedGenerator
from tests.support.fake_index import ClientFactory, FakeIndex


class _PageParts(HTMLParser):
    """The page's scripts, stylesheets, inline style attributes and i18n keys."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.stylesheets: list[str] = []
        self.inline_styles = 0
        self.i18n_keys: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"] or "")
        if tag == "style" or "style" in attributes or any(name.startswith("on") for name in attributes):
            self.inline_styles += 1
        for name in ("data-i18n", "data-i18n-placeholder"):
            if attributes.get(name):
                self.i18n_keys.add(attributes[name] or "")


def page_parts(html: str) -> _PageParts:
    parts = _PageParts()
    parts.feed(html)
    return parts


def test_the_page_is_served_at_the_root_with_a_policy_forbidding_inline_scripts(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    parts = page_parts(response.text)
    assert parts.scripts and all(script.get("src") for script in parts.scripts)
    assert parts.inline_styles == 0
    for path in [str(s["src"]) for s in parts.scripts] + parts.stylesheets:
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert "content-security-policy" in asset.headers


def test_every_module_the_page_imports_is_served_as_javascript(
    make_client: ClientFactory, built_index: FakeIndex
) -> None:
    client = make_client(ScriptedGenerator(), built_index)
    scripts = sorted((STATIC_DIR / "js").glob("*.js"))
    assert len(scripts) >= 5
    for script in scripts:
        for imported in re.findall(r'from "\./([\w.]+)"', script.read_text(encoding="utf-8")):
            assert (STATIC_DIR / "js" / imported).is_file(), (script.name, imported)
        response = client.get(f"/static/js/{script.name}")
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
    assert client.get("/static/js/missing.js").status_code == 404


def test_scripts_build_nodes_and_never_parse_html() -> None:
    for script in (STATIC_DIR / "js").glob("*.js"):
        source = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, (script.name, sink)


def test_every_page_text_has_an_english_and_a_chinese_translation() -> None:
    source = (STATIC_DIR / "js" / "i18n.js").read_text(encoding="utf-8")
    english, chinese = source.split("  zh: {")
    keys = page_parts((STATIC_DIR / "index.html").read_text(encoding="utf-8")).i18n_keys
    used_in_scripts = set()
    for script in (STATIC_DIR / "js").glob("*.js"):
        used_in_scripts |= set(re.findall(r'\bt\("([\w.]+)"', script.read_text(encoding="utf-8")))
    for key in keys | used_in_scripts:
        pattern = re.compile(rf'^\s+"?{re.escape(key)}"?: ', re.MULTILINE)
        assert pattern.search(english) and pattern.search(chinese), key

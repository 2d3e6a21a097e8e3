"""The chat page in a real headless Chromium (Debian's, driven by Playwright) against a real
`assistant serve --prepare`: the default model, the bundled sample corpus, API and admin keys.

One server and one browser for the module. Each test opens a fresh page with the admin key already in
the tab's session storage, except the test of the key prompt itself. Set ASSISTANT_SCREENSHOTS to a
folder (docs/img) to save the screenshots of the three routes there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from assistant.thresholds import PROFILES
from tests.support.assistant_server import Server, serving

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
API_KEY = "browser-user-key"
ADMIN_KEY = "browser-admin-key"
STRICT = PROFILES["strict"]
KEY_ITEM = "fallback-assistant.key"
ANSWER_TIMEOUT_MS = 300_000  # a retrieval answer takes ~50 s on a busy 2-core machine
CAPITAL_Q = "What is the capital of France?"
LUMORA_Q = "In what year was Lumora Robotics founded?"
QUARRY_DOC = (
    "# Zentrix Quarry\n\nThe Zentrix Quarry opened in 1932 near the village of Hollin Brae. "
    "It was founded by the stonemason Hella Marrow; its granite built the Hollin Brae lighthouse.\n"
)
QUARRY_Q = "In what year did the Zentrix Quarry open?"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache_dir: Path) -> Iterator[Server]:
    keys = {"ASSISTANT_API_KEY": API_KEY, "ASSISTANT_ADMIN_KEY": ADMIN_KEY}
    with serving(tmp_path_factory.mktemp("browser-home"), cache_dir=model_cache_dir, env=keys) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageErrors:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.messages.append(message.text)


def open_page(
    browser: Browser, server: Server, *, key: str | None, **options: object
) -> tuple[Page, PageErrors]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    if key is not None:
        context.add_init_script(f"sessionStorage.setItem({KEY_ITEM!r}, {key!r})")
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = PageErrors(page)
    page.goto(server.url)
    return page, errors


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """The page with the admin key in session storage; fails the test on any console error."""
    opened, errors = open_page(browser, server, key=ADMIN_KEY)
    expect(opened.locator("#conversation-profile option")).to_have_count(4)
    yield opened
    opened.context.close()
    assert errors.messages == []


def ask(page: Page, question: str) -> None:
    """Type `question`, send it with Enter, and wait until its answer says how it was reached."""
    answers = page.locator(".message.assistant")
    before = answers.count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(answers).to_have_count(before + 1)
    expect(answers.last.locator(".how .badge")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)


def snapshot(page: Page, name: str) -> None:
    folder = os.environ.get("ASSISTANT_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def test_a_known_fact_shows_the_parametric_badge_stages_samples_and_usage(page: Page) -> None:
    page.evaluate(
        """() => {
            window.seenStages = [];
            new MutationObserver(() => {
                const stages = document.querySelectorAll('.stage');
                for (const stage of stages) window.seenStages.push(stage.textContent);
            }).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    ask(page, CAPITAL_Q)
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".text")).to_contain_text("Paris")
    expect(answer.locator(".badge")).to_have_text("from the model's own knowledge")
    assert "Answering…" in page.evaluate("window.seenStages")
    # The folded samples are the ones drawn, and the summary counts them (or says none were needed,
    # when the answer's token certainty decided alone).
    answer.locator(".samples-details summary").click()
    drawn = answer.locator(".samples li").count()
    summary = f"{drawn} closed-book samples, agreement" if drawn else "not sampled"
    expect(answer.locator(".samples-details summary")).to_contain_text(summary)
    expect(answer.locator(".usage")).to_contain_text("tokens")
    # The model that answered, as /v1/models names it (the tests serve the 0.5B: tests/conftest.py).
    expect(answer.locator(".model")).to_contain_text("Model: llama-server:qwen2.5-coder-0.5b")
    assert answer.locator(".confidence-bar").first.get_attribute("aria-valuenow") is not None
    snapshot(page, "page-parametric.png")


def test_a_document_answer_cites_its_passage(page: Page) -> None:
    ask(page, LUMORA_Q)
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".badge")).to_have_text("from your documents")
    expect(answer.locator(".text")).to_contain_text("2011")
    # llama-server measured the grounded call: the page splits its time.
    expect(answer.locator(".timings")).to_contain_text("from passages")
    expect(answer.locator(".timings")).to_contain_text("reading the prompt")
    snapshot(page, "page-retrieval.png")
    answer.locator(".text .chip", has_text="[1]").click()
    dialog = page.locator("#passage-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#passage-source")).to_have_text("lumora-robotics.md")
    expect(dialog.locator("#passage-text")).to_contain_text("2011")
    expect(dialog.locator("#passage-position")).to_contain_text("chars")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_stricter_confidence_level_turns_that_answer_into_not_known(page: Page, server: Server) -> None:
    # The cited Lumora answer is right and given at the balanced level; asking for certainty 1.0
    # withholds it.
    page.click("#toggle-settings")
    slider = page.locator("#threshold-min_confidence_grounded")
    slider.evaluate(
        "(el) => { el.value = '1'; el.dispatchEvent(new Event('input', {bubbles: true}));"
        " el.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    try:
        page.click("#thresholds-form button[type=submit]")
        expect(page.locator("#settings-status")).to_contain_text("Saved")
        ask(page, LUMORA_Q)
        answer = page.locator(".message.assistant").last
        expect(answer.locator(".badge")).to_have_text("not known")
        expect(answer.locator(".text")).to_contain_text("Lumora Robotics")
        # What the passages said is still there, folded, marked as withheld.
        expect(answer.locator(".withheld")).to_contain_text("2011")
        expect(answer.locator(".withheld")).to_contain_text("withheld")
        snapshot(page, "page-abstain.png")
    finally:
        with server.http(Authorization=f"Bearer {ADMIN_KEY}") as http:
            http.patch("/v1/config/thresholds", json={"profile": "balanced"})


def drop_files(page: Page, files: dict[str, str]) -> None:
    """Drop `files` (name -> text) on the drop zone, as a drag from the desktop would."""
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, text] of Object.entries(files)) transfer.items.add(new File([text], name));
            return transfer;
        }""",
        files,
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})


def test_upload_rebuild_and_ask_from_the_new_document(page: Page) -> None:
    page.click("#toggle-documents")
    expect(page.locator("#document-list")).to_contain_text("lumora-robotics.md")
    # An HTML page with nothing but a script is accepted, then skipped by the rebuild for want of text.
    drop_files(page, {"quarry.md": QUARRY_DOC, "blank.html": "<html><script>var x = 1;</script></html>"})
    expect(page.locator("#upload-status")).to_contain_text("Uploaded")
    expect(page.locator("#document-list")).to_contain_text("quarry.md")
    page.click("#rebuild")
    expect(page.locator("#rebuild-status")).to_contain_text("rebuilt", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#skipped")).to_contain_text("blank.html: no text")
    page.click("#clear")
    expect(page.locator(".message")).to_have_count(0)
    ask(page, QUARRY_Q)
    answer = page.locator(".message.assistant").last
    expect(answer.locator(".badge")).to_have_text("from your documents")
    expect(answer.locator(".sources")).to_contain_text("quarry.md")
    page.locator("#document-list tr", has_text="blank.html").get_by_role("button").click()
    expect(page.locator("#document-list")).not_to_contain_text("blank.html")


def test_the_server_profile_is_saved_through_the_config_api(page: Page, server: Server) -> None:
    page.click("#toggle-settings")
    slider = page.locator("#threshold-min_confidence_grounded")
    expect(slider).to_have_value(f"{PROFILES['balanced'].min_confidence_grounded:g}")
    page.select_option("#server-profile", "strict")
    expect(slider).to_have_value(f"{STRICT.min_confidence_grounded:g}")
    try:
        page.click("#thresholds-form button[type=submit]")
        expect(page.locator("#settings-status")).to_contain_text("Saved")
        with server.http(Authorization=f"Bearer {API_KEY}") as http:
            saved = http.get("/v1/config/thresholds").json()["thresholds"]
        assert saved["min_confidence_grounded"] == STRICT.min_confidence_grounded
        assert saved["n_samples"] == STRICT.n_samples
    finally:
        with server.http(Authorization=f"Bearer {ADMIN_KEY}") as http:
            http.patch("/v1/config/thresholds", json={"profile": "balanced"})


def test_keyboard_shift_enter_adds_a_line_and_markdown_stays_text(page: Page) -> None:
    page.press("#question", "a")
    page.press("#question", "Shift+Enter")
    page.press("#question", "b")
    assert page.input_value("#question") == "a\nb"
    assert page.locator(".message").count() == 0
    rendered = page.evaluate(
        """async () => {
            const { renderMarkdown } = await import('/static/js/markdown.js');
            const box = document.createElement('div');
            const text = '<img src=x onerror="window.hacked=1"> **bold** `x<b>`\\n\\n- one\\n- two';
            box.append(renderMarkdown(text));
            return {
                images: box.querySelectorAll('img').length,
                bold: box.querySelector('strong')?.textContent,
                code: box.querySelector('code')?.textContent,
                items: box.querySelectorAll('ul li').length,
                text: box.textContent,
            };
        }"""
    )
    assert rendered == {
        "images": 0,
        "bold": "bold",
        "code": "x<b>",
        "items": 2,
        "text": '<img src=x onerror="window.hacked=1"> bold x<b>onetwo',
    }


def test_the_page_asks_for_a_key_and_says_clearly_when_it_is_refused(
    browser: Browser, server: Server
) -> None:
    page, errors = open_page(browser, server, key=None)
    dialog = page.locator("#key-dialog")
    expect(dialog).to_be_visible()
    page.fill("#key-input", "wrong-key")
    page.click("#key-form button[value=ok]")
    expect(page.locator("#notice")).to_contain_text("The key was refused")
    page.reload()
    expect(dialog).to_be_visible()
    page.fill("#key-input", API_KEY)
    page.press("#key-input", "Enter")
    expect(page.locator("#conversation-profile option")).to_have_count(4)
    assert page.evaluate(f"sessionStorage.getItem({KEY_ITEM!r})") == API_KEY
    page.context.close()
    # Chromium logs each refused request itself; nothing else may reach the console.
    assert [m for m in errors.messages if "401" not in m] == []


def test_chinese_browsers_get_the_chinese_page_and_a_phone_screen_does_not_scroll_sideways(
    browser: Browser, server: Server
) -> None:
    page, errors = open_page(
        browser, server, key=API_KEY, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    expect(page.locator("h1")).to_have_text("向助手提问")
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.click("#toggle-documents")
    expect(page.locator("#document-list")).to_contain_text("lumora-robotics.md")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.context.close()
    assert errors.messages == []


def test_the_meter_shows_the_calibrated_confidence_and_the_summary_the_agreement(page: Page) -> None:
    """Rendered by the page's own module from a `fallback` object whose numbers all differ."""
    shown = page.evaluate(
        """async () => {
            const { renderHow } = await import('/static/js/answer_view.js');
            const how = renderHow({
                route: "retrieval", confidence: 0.9, agreement: 0.4, grounded_support: 0.5,
                grounded_agreement: 0.2, citations: [], parametric_answer: "1999.",
                samples: ["1999.", "2011.", "1987.", "2011.", "2001."],
                timings_ms: {
                    total: 6200, s2a: 0, sampling: 700, retrieval: 10, grounded: 5400,
                    sampling_prefill: 300, sampling_decode: 350, sampling_wait: 50,
                    grounded_prefill: 4000, grounded_decode: 1200, grounded_wait: 200,
                },
            });
            return {
                meter: how.querySelector(".confidence-bar").getAttribute("aria-valuenow"),
                summary: how.querySelector(".samples-details summary").textContent,
                timings: how.querySelector(".timings").textContent,
            };
        }"""
    )
    assert shown["meter"] == "0.90"
    assert shown["summary"] == "5 closed-book samples, agreement 0.40"
    assert shown["timings"] == (
        "Time 6.2 s: closed-book 0.70 s (reading the prompt 0.30 s, writing 0.35 s, waiting 0.05 s)"
        " · search 0.01 s · from passages 5.4 s (reading the prompt 4.0 s, writing 1.2 s, waiting 0.20 s)"
    )


def test_the_stream_reader_joins_events_split_across_reads(page: Page) -> None:
    events = page.evaluate(
        """async () => {
            const { readEvents } = await import('/static/js/stream.js');
            const pieces = [
                'data: {"choices": [], "fallback": {"st', 'age": "searching"}}\\n',
                '\\ndata: [DO', 'NE]\\n\\n',
            ];
            const encoder = new TextEncoder();
            const body = new ReadableStream({
                start(controller) {
                    for (const piece of pieces) controller.enqueue(encoder.encode(piece));
                    controller.close();
                },
            });
            const seen = [];
            await readEvents(new Response(body), (event) => seen.push(event));
            return seen;
        }"""
    )
    assert events == [{"choices": [], "fallback": {"stage": "searching"}}, "[DONE]"]


def test_stop_ends_the_answer_and_the_page_can_ask_again(page: Page) -> None:
    """Last in the module: the server finishes the abandoned answer on its own."""
    page.fill("#question", CAPITAL_Q)
    page.click("#send")
    expect(page.locator(".message.assistant .stage")).to_be_visible()
    page.click("#stop")
    answer = page.locator(".message.assistant").last
    expect(answer).to_contain_text("Stopped.")
    expect(answer).to_have_class("message assistant error")
    expect(page.locator("#send")).to_be_enabled()
    expect(page.locator("#stop")).to_be_hidden()

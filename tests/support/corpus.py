"""A small English and Chinese corpus written to disk, shared by the index tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

ENGLISH = {
    "volcanoes.txt": "Mount Etna is an active volcano on the east coast of Sicily, in Italy.",
    "coffee.md": "# Coffee\n\nCoffee beans are the roasted seeds of the Coffea plant, first grown in "
    "Ethiopia.",
    "tides.txt": "Ocean tides are caused mainly by the gravitational pull of the Moon on the Earth's water.",
    "bees.html": "<html><head><title>Bees</title><style>p{color:red}</style></head>"
    "<body><p>Honey bees communicate the location of flowers with a waggle dance.</p>"
    "<script>var hidden = 'script text';</script></body></html>",
}
CHINESE = {
    "zh/panda.txt": "大熊猫主要生活在中国四川、陕西和甘肃的山区，以竹子为主要食物。",
    "zh/tea.txt": "西湖龙井是产于杭州的著名绿茶，茶叶扁平光滑，香气清高。",
    "zh/river.txt": "黄河是中国第二长河，发源于青海省巴颜喀拉山脉，最终注入渤海。",
}


def write_corpus(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root

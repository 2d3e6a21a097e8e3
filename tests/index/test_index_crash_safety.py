"""A build killed midway (SIGKILL, real subprocess) leaves the old index serving; parallel builds fail."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.build import build_index
from index.errors import BuildLocked
from index.search import index_status, open_index
from index.shapes import IndexOptions
from index.vectors import Embedder
from index.versions import build_lock
from tests.support.corpus import write_corpus

pytestmark = pytest.mark.slow

OPTIONS = IndexOptions(chunk_size=200, chunk_overlap=40)

# Builds with the real MiniLM and kills its own process with SIGKILL at a given stage and step.
_KILLED_BUILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from index.build import build_index
    from index.embedders import open_embedder
    from index.shapes import IndexOptions

    def die_midway(progress):
        if progress.stage == sys.argv[3] and progress.done == int(sys.argv[4]):
            os.kill(os.getpid(), signal.SIGKILL)

    build_index(
        source=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), embedder=open_embedder("minilm"),
        options=IndexOptions(chunk_size=200, chunk_overlap=40), progress=die_midway,
    )
    """
)


@pytest.mark.parametrize(
    ("stage", "step"), [("embedding", 64), ("writing", 3)], ids=["after-first-batch", "files-half-written"]
)
def test_killed_build_leaves_the_previous_index_readable_and_unlocked(
    stage: str, step: int, tmp_path: Path, minilm: Embedder
) -> None:
    index_dir = tmp_path / "idx"
    old_corpus = write_corpus(tmp_path / "old", {"sicily.txt": "Mount Etna is an active volcano in Sicily."})
    build_index(source=old_corpus, index_dir=index_dir, embedder=minilm, options=OPTIONS)
    expected = open_index(index_dir, embedder=minilm).retrieve("volcano in Sicily", k=1)
    big = write_corpus(
        tmp_path / "big", {f"note{i:03d}.txt": f"Note {i} about topic {i % 9}." for i in range(150)}
    )

    command = [sys.executable, "-c", _KILLED_BUILD, str(big), str(index_dir), stage, str(step)]
    killed = subprocess.run(command, timeout=300)

    assert killed.returncode == -signal.SIGKILL
    assert bool(list(index_dir.glob(".build-*"))) == (stage == "writing")  # the half-written version
    assert index_status(index_dir).version == 1
    assert open_index(index_dir, embedder=minilm).retrieve("volcano in Sicily", k=1) == expected
    report = build_index(source=big, index_dir=index_dir, embedder=minilm, options=OPTIONS)  # lock was freed
    assert (report.version, report.documents) == (2, 150)
    assert not list(index_dir.glob(".build-*"))


def test_a_second_build_while_one_holds_the_lock_is_refused(tmp_path: Path, minilm: Embedder) -> None:
    corpus = write_corpus(tmp_path / "docs", {"a.txt": "Some text."})
    with build_lock(tmp_path / "idx"), pytest.raises(BuildLocked, match="another build"):
        build_index(source=corpus, index_dir=tmp_path / "idx", embedder=minilm, options=OPTIONS)

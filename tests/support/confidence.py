"""A fixed confidence model for tests of the flow's logic, independent of the packaged fit.

Closed-book: p rises steeply through agreement 0.5. Grounded: p is high only when support of the
answer's claims and the agreement of its samples add up to at least 1.4 (both about 0.7 or more).
"""

from __future__ import annotations

from assistant.confidence import Calibrator, StageModel

TEST_CONFIDENCE = Calibrator(
    parametric=StageModel(features=("agreement",), means=(0.5,), scales=(0.1,), weights=(10.0,), bias=0.0),
    grounded=StageModel(
        features=("support_added", "agreement"),
        means=(0.5, 0.5),
        scales=(0.1, 0.1),
        weights=(10.0, 10.0),
        bias=-40.0,
    ),
    fitted_on="tests: hand-set",
)

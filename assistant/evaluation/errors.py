"""Errors of the evaluation subpackage (bad question files, missing datasets, unreachable targets)."""

from assistant.errors import AssistantError


class EvaluationError(AssistantError):
    """A question file, dataset, record file or calibration target that cannot be used."""

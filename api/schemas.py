"""Request and response bodies at the HTTP edge (pydantic), OpenAI-compatible where the route is."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from assistant.thresholds import PROFILES, Thresholds


def _threshold_properties() -> dict[str, Any]:
    """Each threshold field's type, range and description, as the Thresholds model declares them."""
    properties: dict[str, Any] = Thresholds.model_json_schema()["properties"]
    return {
        name: {key: value for key, value in spec.items() if key not in {"default", "title"}}
        for name, spec in properties.items()
    }


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
}


def _strict_json_types(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse `true` for a number or `"5"` for a count, which Thresholds would quietly convert."""
    for name, value in values.items():
        declared = _THRESHOLD_TYPES.get(name)
        if declared is None:
            continue  # unknown names are refused by Thresholds, with the list of known ones
        integral = declared == "integer" and isinstance(value, float) and value.is_integer()  # JSON's 19.0
        mistaken_bool = isinstance(value, bool) and declared != "boolean"
        if mistaken_bool or not (integral or isinstance(value, _JSON_TYPES[declared])):
            raise ValueError(f"{name} must be of JSON type {declared}, got {type(value).__name__}")
    return values


# The schema advertises exactly what the server accepts; the values are still checked by Thresholds,
# whose errors name the field and its range (HTTP 422, type "invalid_threshold").
_PROFILE_SCHEMA = {"type": "string", "enum": list(PROFILES)}
_THRESHOLD_TYPES = {name: spec["type"] for name, spec in _threshold_properties().items()} | {
    "profile": "string"
}
Overrides = Annotated[
    dict[str, Any],
    AfterValidator(_strict_json_types),
    WithJsonSchema({"type": "object", "properties": _threshold_properties(), "additionalProperties": False}),
]
ThresholdChanges = Annotated[
    dict[str, Any],
    AfterValidator(_strict_json_types),
    WithJsonSchema(
        {
            "type": "object",
            "properties": {"profile": _PROFILE_SCHEMA, **_threshold_properties()},
            "additionalProperties": False,
        }
    ),
]
ProfileName = Annotated[str | None, WithJsonSchema({"anyOf": [_PROFILE_SCHEMA, {"type": "null"}]})]
# Request bodies are parsed strictly: `"incremental": 0` or `"n_samples": true` is a 422, not a guess.
_STRICT = ConfigDict(extra="forbid", strict=True)


class ErrorDetail(BaseModel):
    message: str
    type: str
    field: str | None = None


class ErrorBody(BaseModel):
    """Every error of this API (OpenAI-compatible: clients show `error.message`)."""

    error: ErrorDetail


class ReadinessBody(BaseModel):
    status: Literal["loading", "failed", "ready"]
    index: Literal["loading", "none", "failed", "ready"]
    detail: str


_ERRORS = {
    400: "Invalid document name or type",
    401: "Missing or wrong bearer key",
    404: "No such document or job",
    409: "A build is already running, or the index needs another embedder",
    413: "Body or document over the size limit",
    422: "Invalid request, with the field and the allowed range",
    500: "Index error",
    502: "The model failed while generating",
    503: "Not ready, the model server is unavailable, or the answer queue is full (Retry-After)",
    504: "The remote model server did not answer in time",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description} for status, description in _ERRORS.items()
}


class FallbackOptions(BaseModel):
    """Per-request thresholds: a profile, then single overrides on top."""

    model_config = _STRICT

    profile: ProfileName = None
    overrides: Overrides = Field(default_factory=dict)


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    type: str
    text: str = ""


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content if part.type == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat-completions body; fields this server does not use (temperature, n...) are ignored."""

    model_config = ConfigDict(extra="allow", strict=True)

    model: str | None = None
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=1024)
    max_completion_tokens: int | None = Field(None, ge=1, le=1024)
    fallback: FallbackOptions | None = None


class AskRequest(BaseModel):
    model_config = _STRICT

    question: str = Field(min_length=1, pattern=r"\S", description="Not blank; see max_question_chars.")
    profile: ProfileName = None
    overrides: Overrides = Field(default_factory=dict)


class RebuildRequest(BaseModel):
    model_config = _STRICT

    incremental: bool = False

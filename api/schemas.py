"""Request and response bodies at the HTTP edge (pydantic), OpenAI-compatible where the route is."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class FallbackOptions(BaseModel):
    """Per-request thresholds: a profile, then single overrides on top."""

    model_config = ConfigDict(extra="forbid")

    profile: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    text: str = ""


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

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

    model_config = ConfigDict(extra="allow")

    model: str | None = None
    messages: list[ChatMessageIn] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(None, ge=1, le=1024)
    max_completion_tokens: int | None = Field(None, ge=1, le=1024)
    fallback: FallbackOptions | None = None


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1)
    profile: str | None = None
    overrides: dict[str, Any] = Field(default_factory=dict)


class RebuildRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incremental: bool = False

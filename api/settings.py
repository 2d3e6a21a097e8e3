"""The one settings object: environment (ASSISTANT_*), an optional TOML file, and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

EmbeddedModel = Literal["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]
QWEN_0_5B: EmbeddedModel = "qwen2.5-coder-0.5b"
QWEN_1_5B: EmbeddedModel = "qwen2.5-coder-1.5b"
ModelChoice = Literal["auto", "qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"]


class Settings(BaseSettings):
    """Where data lives, which models load, and how the server behaves.

    Precedence: constructor arguments, then ASSISTANT_* variables, then the TOML file named by
    ASSISTANT_CONFIG_FILE (if any), then these defaults. Thresholds changed at run time are kept
    apart, under `home`, by the config routes.
    """

    # "none" unsets an optional setting from the environment (ASSISTANT_SEED=none: random samples).
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", env_parse_none_str="none")

    home: Path = Field(Path("data"), description="Index, uploaded documents and runtime config.")
    cache_dir: Path = Field(Path(".cache"), description="Assembled and converted model weights.")
    config_file: Path | None = Field(None, description="Optional TOML file with any of these settings.")

    # Model
    # llama-server: 3x faster than transformers for one request here, a third of the memory, same
    # routes and accuracy on the measured sets (docs/results/serving-llama-server.md, docs/results/s2a.md).
    backend: Literal["transformers", "llamacpp", "llama-server", "openai"] = "llama-server"
    # auto: the 1.5B where the CPU has AMX (there it answers from documents at a p50 of about 5 s and
    # right about twice as often as the 0.5B: docs/results/default-model.md), the 0.5B elsewhere.
    model: ModelChoice = Field(
        "auto",
        description="The embedded model used when model_path is unset: auto (the 1.5B on CPUs with AMX, "
        "else the 0.5B), qwen2.5-coder-0.5b or qwen2.5-coder-1.5b.",
    )
    model_path: Path | None = Field(
        None, description="A transformers model directory or a GGUF file; None = the embedded `model`."
    )
    # auto: bfloat16 where the CPU has AVX512-BF16 or AMX (half the cost of float32 there), float32
    # elsewhere (on an AVX2-only CPU a bfloat16 prefill is 6x slower: docs/results/dtype-speed.md).
    torch_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    threads: int = Field(0, ge=0, le=256, description="CPU threads for generation; 0 = all cores.")
    seed: int | None = Field(
        0,
        description="Seed of the samples, hashed with each prompt: the same question draws the same samples "
        "and gets the same decision; `none` for fresh random samples on every call.",
    )
    # llama-server: llama.cpp's own server as a child process (continuous batching, prompt cache).
    llama_server_binary: Path | None = Field(
        None, description="The llama-server executable; None = the one `make install` builds in .venv."
    )
    # A request's greedy row and 5 samples take a slot each: with 8 slots the samples evicted the
    # prompts cached for other requests (8 clients: 0.60x the throughput of one, 0.81x with 24), and
    # with 24 eight clients' 48 rows waited for slots (1.15-1.18x against 1.32-1.35x with 48 on the
    # AMX build; docs/results/serving-llama-server.md, sessions 6 and 20).
    llama_server_slots: int = Field(
        48, ge=1, le=64, description="Sequences llama-server decodes together (a request's samples count)."
    )
    llama_server_context_tokens: int = Field(
        32768, ge=2048, description="KV cache shared by all slots, in tokens."
    )
    # auto: the 0.5B as a Q8_0 copy (prompts 1.34x faster, decode no slower, answers as often right
    # though worded differently), the 1.5B as shipped (its copy evaluates prompts no faster and
    # decodes 13 % slower): docs/results/weights-q8.md; on a CPU with AMX the 1.5B's copy too
    # (with ggml's AMX kernels it evaluates prompts 1.03x and decodes 1.06x as fast as the shipped file:
    # docs/results/amx.md).
    # Only the embedded models; a `model_path` GGUF runs as it is.
    llama_server_weights: Literal["auto", "shipped", "q8_0"] = Field(
        "auto", description="Weights llama-server runs: the shipped Q4_K_M, or a Q8_0 copy made once."
    )
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "default"
    openai_api_key: SecretStr = SecretStr("none")
    openai_timeout_s: float = Field(60.0, gt=0)
    openai_retries: int = Field(2, ge=0, le=10)

    # Index
    # use-multilingual: the one embedder measured to retrieve both English and Chinese well (docs/index.md).
    embedder: str = Field(
        "use-multilingual", description="'use-multilingual', 'minilm', 'e5-small' or a model directory."
    )
    chunk_size: int = Field(800, ge=50, le=20000, description="Characters per chunk.")
    chunk_overlap: int = Field(120, ge=0, le=5000, description="Characters shared by neighbouring chunks.")
    # auto: exact flat search up to 12,000 chunks, HNSW above (see docs/index.md for the measurements).
    index_kind: Literal["auto", "flat", "hnsw", "ivf"] = "auto"
    hybrid: bool = Field(True, description="Fuse BM25 with the dense ranking (reciprocal rank fusion).")

    # Assistant
    profile: str = Field("balanced", description="The default threshold profile.")
    s2a: Literal["auto", "on", "off"] = Field(
        "auto",
        description="Set the user's opinions aside before answering (auto: by rule; on: also the model).",
    )

    # Server
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    api_key: SecretStr | None = None
    admin_key: SecretStr | None = None
    max_question_chars: int = Field(4000, ge=1)
    max_body_bytes: int = Field(1_000_000, ge=1, description="Largest JSON request body.")
    max_upload_bytes: int = Field(20_000_000, ge=1, description="Largest uploaded document.")
    # The in-process model answers one question at a time (~1-3 s each on 2 cores): 32 waiting is about
    # a minute of work, past which a client is better told to retry than left to time out.
    max_queued: int = Field(
        32, ge=1, le=10_000, description="Answer requests admitted at once; more get 503 + Retry-After."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = _config_file_from(init_settings, env_settings)
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def runtime_config_path(self) -> Path:
        return self.home / "runtime.json"

    @property
    def confidence_model_path(self) -> Path:
        """The confidence model `assistant calibrate --fit` writes; the packaged one when absent."""
        return self.home / "confidence.json"


def _config_file_from(*sources: PydanticBaseSettingsSource) -> Path | None:
    for source in sources:
        value = source().get("config_file")
        if value:
            return Path(value)
    return None

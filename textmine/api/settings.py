"""What the server is allowed to do, and its limits: explicit, from arguments or the environment."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

ENV_API_KEY = "TEXTMINE_API_KEY"


class ApiSettings(BaseModel):
    """`textmine serve` builds these from its options; `ApiSettings.from_env()` reads TEXTMINE_*.

    Read-only unless `write` is on; write endpoints (curation, extract) then also need the API key
    (header `X-API-Key`), which only ever comes from the environment, never from a command line.
    """

    store_url: str
    write: bool = Field(default=False, description="allow curation and extraction (needs api_key)")
    api_key: str | None = Field(default=None, repr=False, description="from $TEXTMINE_API_KEY")
    cors_origins: list[str] = Field(default_factory=list, description="origins allowed by CORS; none by default")
    max_body_bytes: int = Field(default=1_000_000, description="largest request body")
    request_timeout_s: float = Field(default=30.0, description="a request running longer answers 504")
    max_limit: int = Field(default=10_000, description="largest `limit` of a records search")
    extract_max_chars: int = Field(default=100_000, description="largest text POST /v1/extract takes")
    extract_timeout_s: float = Field(default=20.0, description="longest POST /v1/extract may run")
    extract_pipelines: list[str] = Field(default_factory=lambda: ["rules"], description="pipelines /v1/extract may run")
    web: bool = Field(default=True, description="serve the web interface at /")

    @classmethod
    def from_env(cls, store_url: str | None = None, **overrides) -> "ApiSettings":
        env = os.environ
        values = {
            "store_url": store_url or env.get("TEXTMINE_STORE", "textmine.db"),
            "write": env.get("TEXTMINE_API_WRITE", "").lower() in ("1", "true", "yes"),
            "api_key": env.get(ENV_API_KEY) or None,
            "cors_origins": [o.strip() for o in env.get("TEXTMINE_API_CORS", "").split(",") if o.strip()],
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


__all__ = ["ApiSettings", "ENV_API_KEY"]

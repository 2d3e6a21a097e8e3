"""Thresholds at run time: read, change (validated, persisted, applied to the next request), profiles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from api.deps import AdminKey, ApiKey, Context
from api.runtime_config import profiles, threshold_fields
from api.schemas import ThresholdChanges

router = APIRouter(prefix="/v1/config", tags=["config"])


@router.get("/thresholds", dependencies=[ApiKey])
async def get_thresholds(context: Context) -> dict[str, Any]:
    return {"thresholds": context.thresholds.current().model_dump(), "fields": threshold_fields()}


@router.patch("/thresholds", dependencies=[AdminKey])
async def patch_thresholds(
    context: Context,
    changes: Annotated[
        ThresholdChanges, Body(examples=[{"agreement_threshold": 0.8}, {"profile": "strict", "n_samples": 9}])
    ],
) -> dict[str, Any]:
    """Change single thresholds; `profile` first resets every value to that profile."""
    updated = context.thresholds.update(changes)
    return {"thresholds": updated.model_dump()}


@router.get("/profiles", dependencies=[ApiKey])
async def get_profiles() -> dict[str, Any]:
    return {"profiles": profiles()}

"""个人信息脱敏 of a report: each free-text field of a submission masked (casekit/masking.py), originals kept."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from casekit.masking import mask_personal_data
from schemas.intake import ReportSubmission


@dataclass(frozen=True)
class MaskedSubmission:
    """A submission as it may be published, and the free text it had before masking (to seal)."""

    submission: ReportSubmission
    originals: dict[str, Any]
    """The fields that changed, by name, with what the reporter typed; empty when nothing did."""


def mask_submission(submission: ReportSubmission, keep: Collection[str] = ()) -> MaskedSubmission:
    """The submission with every free-text field masked: description, address, summoned departments."""
    originals: dict[str, Any] = {}
    description = mask_personal_data(submission.description, keep)
    if description != submission.description:
        originals["description"] = submission.description
    location = submission.location
    if location.address and (address := mask_personal_data(location.address, keep)) != location.address:
        originals["address"] = location.address
        location = location.model_copy(update={"address": address})
    whistle = submission.whistle
    if whistle:
        departments = [mask_personal_data(name, keep) for name in whistle.summoned_departments]
        if departments != whistle.summoned_departments:
            originals["summoned_departments"] = whistle.summoned_departments
            whistle = whistle.model_copy(update={"summoned_departments": departments})
    if not originals:
        return MaskedSubmission(submission, originals)
    masked = submission.model_copy(update={"description": description, "location": location, "whistle": whistle})
    return MaskedSubmission(masked, originals)

"""How many examples a fuzz test draws: its own small number under the CI profile, the fuzz
profile's under ``make fuzz``."""

from __future__ import annotations

from hypothesis import settings


def budget(ci_examples: int) -> settings:
    if settings.get_current_profile_name() == "fuzz":
        return settings(settings.get_profile("fuzz"))
    return settings(settings.get_profile("fuzz-ci"), max_examples=ci_examples)

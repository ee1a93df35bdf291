"""How many examples a fuzz test draws: its own small number under the CI profile (the default,
and Hypothesis's own "ci", which it picks by itself where CI is set), the profile's own under any
other chosen with ``--hypothesis-profile`` (``make fuzz``: fuzz)."""

from __future__ import annotations

from hypothesis import settings


def budget(ci_examples: int) -> settings:
    current = settings.get_current_profile_name()
    if current in ("default", "ci"):
        return settings(settings.get_profile("fuzz-ci"), max_examples=ci_examples)
    return settings(settings.get_profile(current))

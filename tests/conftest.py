"""Test-suite settings.

Under CI (``CI`` set in the environment) hypothesis runs derandomized: the same examples
every run, so a submission's result does not depend on which random examples a run drew.
Locally it keeps exploring new ones.
"""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

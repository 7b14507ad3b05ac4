"""The demo's application inference profiles (a light module: the report CLI reads it without the demo's writers)."""

from __future__ import annotations

from pathlib import Path

# The application inference profiles the demo corpus calls, named with their models: demo reports resolve them
# from this file, as a user's reports do with --inference-profiles, so every demo call is priced.
DEMO_INFERENCE_PROFILES = Path(__file__).resolve().parents[2] / "examples" / "inference-profiles.json"

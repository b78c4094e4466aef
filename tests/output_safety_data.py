"""Test data shared by tests/unit/test_output_safety.py and tests/functional/test_output_safety.py."""

from __future__ import annotations

TRAVERSAL = "x/../../../../trav/escaped"

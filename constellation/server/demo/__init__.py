"""The demo organisation: a small analytics company's strategy, OKRs and check-ins."""

from __future__ import annotations

from constellation.server.demo.build import DEMO_PASSWORD, DemoResult, build_demo

__all__ = ["DEMO_PASSWORD", "DemoResult", "build_demo"]

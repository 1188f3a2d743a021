"""Objectives, key results, initiatives, alignment and their lifecycle."""

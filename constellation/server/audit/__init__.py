"""The audit history: who changed what, when, before and after."""

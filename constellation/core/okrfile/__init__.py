"""The OKR file: load and validate it, write it back, format it, and start a new one."""

from constellation.core.okrfile.fmt import format_text
from constellation.core.okrfile.loader import load_file, load_text
from constellation.core.okrfile.problems import OkrFileError, Problem
from constellation.core.okrfile.starter import starter_text
from constellation.core.okrfile.writer import dump_plan, plan_data

__all__ = [
    "OkrFileError",
    "Problem",
    "dump_plan",
    "format_text",
    "load_file",
    "load_text",
    "plan_data",
    "starter_text",
]

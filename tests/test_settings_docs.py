"""Every environment variable the server reads is documented in docs/settings.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_read_from_the_environment_is_documented() -> None:
    sources = "".join(path.read_text() for path in (ROOT / "constellation" / "server").glob("*.py"))
    names = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', sources))
    names |= {"OKR_DATA_DIR", "DATABASE_URL", "SECRET_KEY"}
    documented = (ROOT / "docs" / "settings.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert missing == []
    assert len(names) > 10

"""Train the Rasa model only when its data changed.

The fingerprint covers config.yml, domain.yml, every file under data/ and the
Python sources of the custom NLU components in nlu/ (they compute features the
model is trained on).
Trained models are kept in a cache outside the checkout
(``$XDG_CACHE_HOME/supportbot/models``), so a fresh clone with unchanged
training data reuses the model instead of training again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

MODEL_NAME = "supportbot.tar.gz"


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(p for p in (root / "data").rglob("*") if p.is_file())
    files += sorted((root / "nlu").glob("*.py"))
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportbot" / "models"


def ensure_model(root: Path = PROJECT_ROOT, rasa: Path | None = None) -> Path:
    """Return ``models/supportbot.tar.gz``, training it first when the data changed."""
    rasa = rasa or root / ".venv-rasa" / "bin" / "rasa"
    target = root / "models" / MODEL_NAME
    stamp = target.parent / "supportbot.fingerprint"
    key = fingerprint(root)
    if target.exists() and stamp.exists() and stamp.read_text().strip() == key:
        return target
    cached = cache_dir() / f"{key}.tar.gz"
    if not cached.exists():
        print(f"training the Rasa model (fingerprint {key}) …", flush=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(rasa), "train", "--out", str(cached.parent), "--fixed-model-name", f"{key}-partial"],
            cwd=root,
            check=True,
        )
        (cached.parent / f"{key}-partial.tar.gz").replace(cached)
    else:
        print(f"reusing the trained Rasa model {cached}", flush=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    stamp.write_text(key + "\n")
    return target


if __name__ == "__main__":
    print(ensure_model())
    sys.exit(0)

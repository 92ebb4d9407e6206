"""Train the Rasa model only when its data changed.

The fingerprint covers config.yml, domain.yml, every file under data/, the
Python sources of the custom NLU components in nlu/ (they compute features the
model is trained on) and requirements/rasa.lock (the encoders' packages).
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
TELEMETRY_VARIABLE = "RASA_TELEMETRY_ENABLED"


def rasa_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Rasa's command line: telemetry and error reports off unless turned on.

    Rasa sends anonymous usage data and crash reports to its makers by default. A
    support desk's server should not call out unasked, so every Rasa process this
    project starts runs with ``RASA_TELEMETRY_ENABLED=false``; an operator who wants
    them sets the variable to ``true``.
    """
    env = dict(os.environ if base is None else base)
    env.setdefault(TELEMETRY_VARIABLE, "false")
    return env


def training_files(root: Path = PROJECT_ROOT) -> list[Path]:
    # The lock file pins the packages whose models make features (the sentence encoders).
    files = [root / "config.yml", root / "domain.yml", root / "requirements" / "rasa.lock"]
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
            env=rasa_environment(),
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

from pathlib import Path

STATIC_DIR = Path(__file__).parent

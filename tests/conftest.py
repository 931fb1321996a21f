"""Shared fixtures: the CS224N data folder and the bundled encoder, both found the way users find them."""
import os
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def data_path():
    from minibert_nb.paths import data_dir
    return data_dir(os.environ.get("MINIBERT_DATA") or REPO.parent / "shared" / "data" / "cs224n")


@pytest.fixture(scope="session")
def model_path():
    from minibert_nb.paths import default_model_dir
    return default_model_dir()

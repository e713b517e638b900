"""ontology/ ships inside the package, so an installed labourgraph finds its reference data."""

import fnmatch
import tomllib
from pathlib import Path

from labourgraph.reference import ONTOLOGY_DIR, ontology_dir

ROOT = Path(__file__).resolve().parents[1]


def test_every_ontology_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools = config["setuptools"]
    assert setuptools["package-dir"]["labourgraph.ontology"] == "ontology"
    assert "labourgraph.ontology" in setuptools["packages"]
    patterns = setuptools["package-data"]["labourgraph.ontology"]
    files = sorted(p.name for p in (ROOT / "ontology").iterdir() if p.is_file())
    assert files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert missing == []


def test_ontology_found_installed_or_in_a_source_tree(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "graph").mkdir(parents=True)
    assert ontology_dir(source / "graph") == source / "ontology"
    (source / "graph" / "ontology").mkdir()  # an installed package holds it
    assert ontology_dir(source / "graph") == source / "graph" / "ontology"
    assert (ONTOLOGY_DIR / "labourgraph.ttl").is_file()

from pathlib import Path

import pytest

from accord.catalogue import Catalogue, CatalogueError


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "requirements.toml"
    path.write_text('[meta]\nprotocol = "mcp"\nversion = "x"\nspec_url = "https://example.org/spec/"\n' + body)
    return path


def test_loads_requirements_and_builds_section_urls(tmp_path: Path) -> None:
    path = write(tmp_path, '[[requirement]]\nid = "mcp.a.b"\nlevel = "MUST"\nsection = "basic#x"\nsummary = "s"\n')
    catalogue = Catalogue.load(path)
    assert len(catalogue) == 1
    assert catalogue.get("mcp.a.b").url == "https://example.org/spec/basic#x"
    assert "mcp.a.b" in catalogue and "mcp.a.c" not in catalogue


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    entry = '[[requirement]]\nid = "mcp.a.b"\nlevel = "MUST"\nsection = "s"\nsummary = "s"\n'
    with pytest.raises(CatalogueError, match="duplicate requirement ids: mcp.a.b"):
        Catalogue.load(write(tmp_path, entry * 2))


@pytest.mark.parametrize(
    "entry, complaint",
    [
        ('id = "mcp.a.b"\nlevel = "MUST NOT"\nsection = "s"\nsummary = "s"', "level"),
        ('id = "Bad Id"\nlevel = "MUST"\nsection = "s"\nsummary = "s"', "id"),
        ('id = "mcp.a.b"\nlevel = "MUST"\nsection = "s"\nsummary = "s"\nuntested = ""', "untested"),
        ('id = "mcp.a.b"\nlevel = "MUST"\nsection = "s"\nsummary = "s"\ncolour = "red"', "colour"),
    ],
)
def test_malformed_entries_are_refused_with_the_field_named(tmp_path: Path, entry: str, complaint: str) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        Catalogue.load(write(tmp_path, "[[requirement]]\n" + entry + "\n"))


def test_unreadable_file_gives_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "requirements.toml"
    bad.write_text("[[requirement]\n")
    with pytest.raises(CatalogueError, match="cannot read requirements file"):
        Catalogue.load(bad)

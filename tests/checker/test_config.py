"""Configuration in pyproject.toml or mathcheck.toml: every key, and unknown keys reported."""

from __future__ import annotations

import pytest

from checker.config import DEFAULT_INCLUDE, Config, ConfigError, discover, load_file

FULL = """
include = ["*.md", "*.tex"]
exclude = ["drafts/*"]
log = "10"
sigma = "std"
assume = ["0 < p < 1"]
timeout = 2.5
strict = true
seed = 7
jobs = 3
"""


def test_every_key_is_read_from_mathcheck_toml(tmp_path):
    """Each documented key is read with its type."""
    (tmp_path / "mathcheck.toml").write_text(FULL)
    cfg = discover(tmp_path)
    assert cfg == Config(include=("*.md", "*.tex"), exclude=("drafts/*",), log="10", sigma="std",
                         assume=("0 < p < 1",), timeout=2.5, strict=True, seed=7, jobs=3)
    assert cfg.source.endswith("mathcheck.toml")


def test_pyproject_tool_table_is_read_and_found_from_a_subfolder(tmp_path):
    """[tool.mathcheck] in pyproject.toml applies to folders below it."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.mathcheck]\nlog = "2"\n')
    sub = tmp_path / "notes" / "week1"
    sub.mkdir(parents=True)
    assert discover(sub).log == "2"


def test_pyproject_without_the_table_gives_defaults(tmp_path):
    """A pyproject.toml without [tool.mathcheck] is no configuration."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    cfg = discover(tmp_path)
    assert cfg.include == DEFAULT_INCLUDE and cfg.log == "e" and cfg.source is None


def test_mathcheck_toml_wins_over_pyproject_in_the_same_folder(tmp_path):
    """mathcheck.toml is preferred to pyproject.toml."""
    (tmp_path / "pyproject.toml").write_text('[tool.mathcheck]\nlog = "2"\n')
    (tmp_path / "mathcheck.toml").write_text('log = "10"\n')
    assert discover(tmp_path).log == "10"


@pytest.mark.parametrize("text,key,needle", [
    ('timeot = 3\n', "timeot", "did you mean 'timeout'"),
    ('log = "ln"\n', "log", "expected one of"),
    ('sigma = "stddev"\n', "sigma", "expected one of"),
    ('timeout = -1\n', "timeout", "positive number"),
    ('strict = "yes"\n', "strict", "true or false"),
    ('jobs = 0\n', "jobs", "integer >= 1"),
    ('seed = 1.5\n', "seed", "an integer"),
    ('include = "*.md"\n', "include", "list of strings"),
    ('exclude = [1]\n', "exclude", "list of strings"),
    ('assume = "x > 0"\n', "assume", "list of strings"),
])
def test_bad_keys_and_values_name_the_file_and_key(tmp_path, text, key, needle):
    """An unknown key or a bad value is an error naming the file and the key."""
    path = tmp_path / "mathcheck.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_file(path)
    assert str(path) in str(err.value) and key in str(err.value) and needle in str(err.value)


def test_invalid_toml_is_reported(tmp_path):
    """A file that is not TOML is an error with the file name."""
    path = tmp_path / "mathcheck.toml"
    path.write_text("log = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_file(path)


def test_pyproject_errors_name_the_table(tmp_path):
    """An error in pyproject.toml names [tool.mathcheck]."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.mathcheck]\nfoo = 1\n')
    with pytest.raises(ConfigError, match=r"\[tool.mathcheck\] foo: unknown key"):
        load_file(path)

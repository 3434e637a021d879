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


# --- each key changes what `mathcheck check` does; the command line overrides it -------------

def run_check(capsys, monkeypatch, folder, *argv: str) -> tuple[int, list[dict]]:
    """`mathcheck check` run from `folder` (where the configuration is looked up): exit status, results."""
    import json

    from checker.cli import main

    monkeypatch.chdir(folder)
    code = main(["check", "--no-cache", "--format", "json", *argv])
    out, _ = capsys.readouterr()
    return code, json.loads(out)["results"] if out.strip() else []


def verdicts(results: list[dict]) -> list[tuple[str, int, str]]:
    return [(r["file"], r["line"], r["verdict"]) for r in results]


def test_include_and_exclude_select_the_files_of_a_folder(tmp_path, capsys, monkeypatch):
    """include picks files by name, exclude drops files and folders."""
    notes = tmp_path / "notes"
    (notes / "drafts").mkdir(parents=True)
    for rel in ("a.md", "b.tex", "drafts/c.md"):
        (notes / rel).write_text("$$x + x = 2x$$\n")
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "notes")
    assert sorted(r["file"] for r in results) == ["notes/a.md", "notes/b.tex", "notes/drafts/c.md"]
    (tmp_path / "mathcheck.toml").write_text('include = ["*.md"]\n')
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "notes")
    assert sorted(r["file"] for r in results) == ["notes/a.md", "notes/drafts/c.md"]
    (tmp_path / "mathcheck.toml").write_text('exclude = ["drafts/*"]\n')
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "notes")
    assert sorted(r["file"] for r in results) == ["notes/a.md", "notes/b.tex"]


def test_log_sets_the_base_of_log(tmp_path, capsys, monkeypatch):
    """log = "10" makes log 100 = 2 true; the default natural log makes it wrong."""
    (tmp_path / "n.md").write_text("$$\\log 100 = 2$$\n")
    assert verdicts(run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")[1]) == [("n.md", 1, "wrong")]
    (tmp_path / "mathcheck.toml").write_text('log = "10"\n')
    code, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")
    assert verdicts(results) == [("n.md", 1, "verified")] and code == 0


def test_sigma_std_stops_reading_sigma_as_the_sigmoid(tmp_path, capsys, monkeypatch):
    """sigma = "std": sigma(0) = 1/2 is no longer the sigmoid's value, so it is not verified."""
    (tmp_path / "n.md").write_text("$$\\sigma(0) = \\frac{1}{2}$$\n")
    assert verdicts(run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")[1]) == [("n.md", 1, "verified")]
    (tmp_path / "mathcheck.toml").write_text('sigma = "std"\n')
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")
    # sigma is then an undefined function: the equation is not verified (it can be read as giving
    # sigma(0) a value, or be undecided; how it says so may vary)
    assert [r["verdict"] for r in results] in (["inconclusive"], ["unparsed"], ["defined"])


def test_assume_applies_to_every_file(tmp_path, capsys, monkeypatch):
    """assume = ["x > 0"] makes sqrt(x^2) = x verified; without it, it holds only if x > 0."""
    (tmp_path / "n.md").write_text("$$\\sqrt{x^2} = x$$\n")
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")
    assert verdicts(results) == [("n.md", 1, "inconclusive")] and "holds if x > 0" in results[0]["message"]
    (tmp_path / "mathcheck.toml").write_text('assume = ["x > 0"]\n')
    assert verdicts(run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")[1]) == [("n.md", 1, "verified")]


def test_a_bad_assumption_names_the_file_and_key(tmp_path, capsys, monkeypatch):
    """An assume entry that is not an inequality is a usage error naming the file and 'assume'."""
    from checker.config import assumptions_of

    (tmp_path / "mathcheck.toml").write_text('assume = ["x = 1"]\n')
    with pytest.raises(ConfigError, match=r"mathcheck\.toml: assume: 'x = 1': an assumption relates"):
        assumptions_of(discover(tmp_path))


def test_timeout_is_the_budget_and_the_option_overrides_it(tmp_path, capsys, monkeypatch):
    """timeout = 0.001 leaves no time to decide; --timeout 5 on the command line restores it."""
    (tmp_path / "n.md").write_text("$$(x + 1)^2 = x^2 + 2x + 1$$\n")
    (tmp_path / "mathcheck.toml").write_text("timeout = 0.001\n")
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")
    # undecided within the budget (spent reading or checking the equation)
    assert [r["verdict"] for r in results] in (["inconclusive"], ["unparsed"])
    assert "budget" in results[0]["message"] and "(0.001 s)" in results[0]["message"]
    _, results = run_check(capsys, monkeypatch, tmp_path, "-j", "1", "--timeout", "5", "n.md")
    assert verdicts(results) == [("n.md", 1, "verified")]


def test_strict_fails_undecided_equations_and_no_strict_overrides(tmp_path, capsys, monkeypatch):
    """strict = true makes an unparsed equation exit 1; --no-strict on the command line gives 0 again."""
    (tmp_path / "n.md").write_text("$$\\|x\\|_\\ast \\boxtimes y = z$$\n")
    assert run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")[0] == 0
    (tmp_path / "mathcheck.toml").write_text("strict = true\n")
    assert run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")[0] == 1
    assert run_check(capsys, monkeypatch, tmp_path, "-j", "1", "--no-strict", "n.md")[0] == 0


def test_seed_changes_the_sampled_points_and_the_option_overrides_it(tmp_path, capsys, monkeypatch):
    """seed = 7 samples other points than the default seed 0; --seed 0 brings the default back."""
    (tmp_path / "n.md").write_text("$$(x + 1)^2 = x^2 + 1$$\n")

    def point(*argv: str) -> float:
        return run_check(capsys, monkeypatch, tmp_path, "-j", "1", *argv, "n.md")[1][0]["counterexample"]["x"]

    default = point()
    (tmp_path / "mathcheck.toml").write_text("seed = 7\n")
    assert point() != default
    assert point("--seed", "0") == default


def test_jobs_sets_the_worker_count_and_the_option_overrides_it(tmp_path, capsys, monkeypatch):
    """jobs = 2 reaches the executor; -j 1 on the command line wins."""
    import importlib

    seen: list[int] = []
    # the executor of the planned claims, wherever the check command imports it from
    for name in ("checker.notes_check", "checker.notes_run"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        real = module.execute

        def spy(plan, *, real=real, **kw):
            seen.append(kw["jobs"])
            return real(plan, **kw)

        monkeypatch.setattr(module, "execute", spy)
    (tmp_path / "n.md").write_text("$$x + x = 2x$$\n\n$$x \\cdot x = x^2$$\n")
    (tmp_path / "mathcheck.toml").write_text("jobs = 2\n")
    code, results = run_check(capsys, monkeypatch, tmp_path, "n.md")
    assert code == 0 and [r["verdict"] for r in results] == ["verified", "verified"]
    run_check(capsys, monkeypatch, tmp_path, "-j", "1", "n.md")
    assert seen == [2, 1]


def test_check_stops_on_an_unknown_key_naming_file_and_key(tmp_path, capsys, monkeypatch):
    """`mathcheck check` exits 2 on a typo in [tool.mathcheck], and says which file and key."""
    from checker.cli import main

    (tmp_path / "n.md").write_text("$$x + x = 2x$$\n")
    (tmp_path / "pyproject.toml").write_text("[tool.mathcheck]\nstrcit = true\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", "n.md"]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml: [tool.mathcheck] strcit: unknown key; did you mean 'strict'?" in err

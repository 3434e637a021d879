"""The pre-commit hook of .pre-commit-hooks.yaml, run by pre-commit on a temporary git repository."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pre_commit = pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]')")
yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit")

ROOT = Path(__file__).resolve().parents[2]
HOOKS = ROOT / ".pre-commit-hooks.yaml"

WRONG = "# Notes\n\n$$(x + 1)^2 = x^2 + 2x + 1$$\n\n$$(x + 1)^2 = x^2 + 1$$\n"
FIXED = WRONG.replace("= x^2 + 1$$", "= x^2 + 2x + 1$$")
TEX = "\\begin{align*}\n(a+b)^2 &= a^2 + 2ab + b^2\n\\end{align*}\n"
# not a notes file for the hook (types_or): never passed to mathcheck, however wrong its text
PYTHON = '"""$$(x + 1)^2 = x^2$$"""\n'


def run(*argv: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def make_repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "notes-repo"
    (repo / "notes").mkdir(parents=True)
    (repo / "notes" / "a.md").write_text(WRONG)
    (repo / "notes" / "b.tex").write_text(TEX)
    (repo / "tool.py").write_text(PYTHON)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "n",
           "GIT_AUTHOR_EMAIL": "n@example.org", "GIT_COMMITTER_NAME": "n", "GIT_COMMITTER_EMAIL": "n@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    assert run("git", "init", "-q", cwd=repo, env=env).returncode == 0
    return repo, env


def our_hook() -> dict:
    hooks = yaml.safe_load(HOOKS.read_text())
    assert isinstance(hooks, list) and [h["id"] for h in hooks] == ["mathcheck"]
    return hooks[0]


def test_the_manifest_targets_notes_and_calls_check():
    """The hook runs `mathcheck check` on Markdown, LaTeX and notebooks, in one process."""
    from pre_commit.clientlib import load_manifest

    (hook,) = load_manifest(str(HOOKS))  # pre-commit's own validation of the manifest
    assert hook["entry"] == "mathcheck check" and hook["language"] == "python"
    assert sorted(hook["types_or"]) == ["jupyter", "markdown", "tex"]
    assert hook["require_serial"] is True


def test_commit_fails_on_the_wrong_equation_and_passes_after_the_fix(tmp_path):
    """pre-commit's git hook blocks a commit with a wrong equation, naming its line, and lets the fix in.

    The hook is our manifest's entry with `mathcheck` spelled as this interpreter's
    `python -m checker` (the same program), so no environment has to be installed.
    """
    repo, env = make_repo(tmp_path)
    hook = our_hook()
    words = shlex.split(hook["entry"])
    assert words[0] == "mathcheck"
    local = {k: hook[k] for k in ("id", "name", "types_or", "require_serial") if k in hook}
    local.update(language="system", entry=shlex.join([sys.executable, "-m", "checker", *words[1:]]))
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local]}]}))
    assert run(sys.executable, "-m", "pre_commit", "install", cwd=repo, env=env).returncode == 0
    run("git", "add", "-A", cwd=repo, env=env)
    blocked = run("git", "commit", "-q", "-m", "notes", cwd=repo, env=env)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    said = blocked.stdout + blocked.stderr  # git shows the hook's output on stderr
    assert "notes/a.md:5:3: wrong: the two sides differ" in said
    assert "== FAILED: 3 equations in 2 files" in said  # a.md and b.tex; tool.py is not a notes file
    assert run("git", "rev-parse", "--verify", "-q", "HEAD", cwd=repo, env=env).returncode != 0  # nothing committed
    (repo / "notes" / "a.md").write_text(FIXED)
    run("git", "add", "-A", cwd=repo, env=env)
    done = run("git", "commit", "-q", "-m", "notes", cwd=repo, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "mathcheck" in done.stderr and "Passed" in done.stderr
    assert run("git", "rev-parse", "--verify", "-q", "HEAD", cwd=repo, env=env).returncode == 0


@pytest.mark.slow
def test_try_repo_installs_the_hook_from_this_checkout(tmp_path):
    """`pre-commit try-repo` installs this checkout's hook (language: python) and runs it: fail, then pass.

    This builds the package into a fresh virtual environment, so it needs PyPI (CI has it). It
    uses the checkout's last commit, so that uncommitted work elsewhere in the tree does not leak in.
    """
    repo, env = make_repo(tmp_path)
    head = run("git", "rev-parse", "HEAD", cwd=ROOT, env=env)
    assert head.returncode == 0, f"{ROOT} is not a git checkout: try-repo needs one ({head.stderr.strip()})"
    argv = (sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "mathcheck", "--ref", head.stdout.strip(),
            "--verbose", "--files", "notes/a.md", "notes/b.tex", "tool.py")
    failed = run(*argv, cwd=repo, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "notes/a.md:5:3: wrong: the two sides differ" in failed.stdout
    (repo / "notes" / "a.md").write_text(FIXED)
    passed = run(*argv, cwd=repo, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "3 equations in 2 files" in passed.stdout  # a.md and b.tex were checked; tool.py was not

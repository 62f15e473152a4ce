"""The CI recipes in docs/ci/ and the pre-commit hooks work as written.

Every ``infoshare validate`` command line of the recipes is run, as the
recipe writes it, on a repository with one good and one bad bundle and a
tool's JSON file; the install line must not name a PyPI release that does
not exist. (pre-commit itself was tried by hand with ``pre-commit try-repo``
against this repository: it needs network access to install dependencies.)
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.test_cli import INFOSHARE, ExitCode, bundle, identity, write

ROOT = Path(__file__).resolve().parent.parent
CI = ROOT / "docs" / "ci"
RECIPES = sorted(CI.glob("*.yml"))
HOOKS = ROOT / ".pre-commit-hooks.yaml"
_COMMAND = re.compile(r"infoshare validate [^\n]*")


def _commands(text: str) -> list[str]:
    return [m.group(0).split(" || ")[0].strip() for m in _COMMAND.finditer(text)]


def _hook_entries() -> list[str]:
    return re.findall(r"^\s*entry:\s*(.+)$", HOOKS.read_text("utf-8"), flags=re.M)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    write(tmp_path / "cases" / "good.json", bundle(identity()))
    write(tmp_path / "package.json", json.dumps({"name": "site", "type": "module"}))
    return tmp_path


def _run(command: str, cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    argv = [arg.replace("$CASES", "cases/") for arg in shlex.split(command)]
    assert argv[:2] == ["infoshare", "validate"]
    return subprocess.run(
        [str(INFOSHARE), *argv[1:], *files],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_recipes_have_validate_commands() -> None:
    assert len(RECIPES) == 2
    for recipe in RECIPES:
        assert len(_commands(recipe.read_text("utf-8"))) >= 2, recipe.name
    assert len(_hook_entries()) == 2


@pytest.mark.parametrize(
    "command",
    sorted({c for recipe in RECIPES for c in _commands(recipe.read_text("utf-8"))}),
)
def test_each_recipe_command_passes_good_bundles_and_fails_bad_ones(
    command: str, repository: Path
) -> None:
    passed = _run(command, repository)
    assert passed.returncode == ExitCode.OK, passed.stdout + passed.stderr
    write(repository / "cases" / "bad.json", bundle(identity(1, name=None)))
    failed = _run(command, repository)
    assert failed.returncode == ExitCode.FINDINGS, failed.stdout + failed.stderr
    output = re.search(r"--output (\S+)", command)
    if output:  # the report file the next step (upload, artifact) expects is there
        assert (repository / output.group(1)).stat().st_size > 0


@pytest.mark.parametrize("entry", _hook_entries())
def test_each_hook_checks_the_bundles_pre_commit_passes_and_skips_other_json(
    entry: str, repository: Path
) -> None:
    # pre-commit appends the changed files that match `types: [json]`
    files = ("cases/good.json", "package.json")
    passed = _run(entry, repository, *files)
    assert passed.returncode == ExitCode.OK, passed.stdout + passed.stderr
    write(repository / "cases" / "bad.json", bundle(identity(1, name=None)))
    failed = _run(entry, repository, *files, "cases/bad.json")
    assert failed.returncode == ExitCode.FINDINGS
    assert "cases/bad.json" in failed.stdout and "package.json" not in failed.stdout


def test_the_install_lines_name_no_unpublished_release() -> None:
    for path in [*RECIPES, CI / "README.md"]:
        text = path.read_text("utf-8")
        assert not re.search(r"infoshare==|pip install [\"']?infoshare[\"']?\s*$", text, re.M)
        assert "git+" in text, path.name
    for recipe in RECIPES:
        text = recipe.read_text("utf-8")
        assert "CHANGE THIS" in text and "INFOSHARE_REPO" in text and "INFOSHARE_REF" in text


def test_no_recipe_pins_a_tag_that_does_not_exist() -> None:
    tags = subprocess.run(
        ["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    for path in [*RECIPES, CI / "README.md"]:
        for rev in re.findall(
            r"(?:rev:\s*|INFOSHARE_REF:\s*|infoshare\.git@)\"?(v\d[\w.]*)", path.read_text("utf-8")
        ):
            assert rev in tags, f"{path.name} pins {rev}, which is not a tag of this repository"


def test_the_sarif_upload_cannot_fail_the_github_job() -> None:
    text = (CI / "github-actions-validate.yml").read_text("utf-8")
    upload = text[text.index("name: Upload findings to code scanning") :]
    upload = upload[: upload.index("- name:", 1)]
    assert "continue-on-error: true" in upload
    assert "upload-sarif" in upload


def test_the_gitlab_recipe_gives_gitlab_a_report_it_displays() -> None:
    text = (CI / "gitlab-ci-validate.yml").read_text("utf-8")
    assert "codequality: gl-code-quality-report.json" in text
    assert "--format codequality --output gl-code-quality-report.json" in text
    assert "sarif" not in text.replace("SARIF, so none", "")

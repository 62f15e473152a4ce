"""Which files `infoshare validate` reads: folders keep STIX content only; --exclude;
--skip-non-stix (infoshare/cli/_inputs.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infoshare.cli._exit import ExitCode
from infoshare.cli._inputs import Exclusions, collect, holds_stix
from infoshare.errors import UsageError
from tests.test_cli import READER_ONLY, bundle, cli, identity, write

#: JSON files that tools keep next to bundles: none is STIX.
TOOL_FILES = {
    "package.json": {"name": "cases", "version": "1.0.0", "type": "module", "scripts": {}},
    "package-lock.json": {"name": "cases", "lockfileVersion": 3, "packages": {"": {}}},
    "tsconfig.json": {"compilerOptions": {"strict": True}, "include": ["src"]},
    "renovate.json": {"$schema": "https://docs.renovatebot.com/renovate-schema.json"},
    "schema.json": {"$id": "https://example.org/case.json", "type": "object"},
    ".vscode-settings.json": {"editor.tabSize": 2},
    "geo.json": {"type": "FeatureCollection", "features": []},
}


def test_stix_content_is_told_from_other_json(tmp_path: Path) -> None:
    for name, content in TOOL_FILES.items():
        assert not holds_stix(write(tmp_path / name, json.dumps(content))), name
    stix = {
        "bundle.json": bundle(identity()),
        "single.json": json.dumps(identity()),
        "truncated.json": '{"type": "bundle", "objects": [{"type": "identi',
        "no-id-yet.json": '{\n  "objects": [\n',
        "spec-version-only.json": '{"spec_version": "2.1"}',
        "empty.json": "",  # an empty input is finding IS-003, never skipped
        "blank.json": " \n\t",
    }
    for name, text in stix.items():
        assert holds_stix(write(tmp_path / name, text)), name


@given(st.binary(max_size=200))
def test_sniffing_never_fails_on_any_bytes(data: bytes) -> None:
    # a marker anywhere in the bytes counts; otherwise the file is not STIX
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json") as handle:
        handle.write(data)
        handle.flush()
        assert isinstance(holds_stix(Path(handle.name)), bool)


def test_validating_a_repository_skips_tool_files(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name, content in TOOL_FILES.items():
        write(repo / name, json.dumps(content))
    write(repo / "cases" / "a.json", bundle(identity(1)))
    write(repo / "cases" / "b.json", bundle(identity(2)))
    result = cli("validate", *READER_ONLY, "--format", "json", repo)
    assert result.returncode == ExitCode.OK, result.stdout + result.stderr
    names = [i["name"] for i in json.loads(result.stdout)["inputs"]]
    assert names == [str(repo / "cases" / "a.json"), str(repo / "cases" / "b.json")]
    assert "skipped 6 JSON files with no STIX content" in result.stderr
    assert "package.json" in result.stderr or "geo.json" in result.stderr
    quiet = cli("validate", *READER_ONLY, "--quiet", repo)
    assert quiet.returncode == ExitCode.OK and quiet.stderr == ""


def test_a_broken_bundle_in_a_folder_is_still_validated(tmp_path: Path) -> None:
    write(tmp_path / "cases" / "cut.json", '{"type": "bundle", "objects": [{"type": "ide')
    result = cli("validate", tmp_path / "cases")
    assert result.returncode == ExitCode.FINDINGS and "IS-001" in result.stdout


def test_a_folder_of_tool_files_only_exits_3(tmp_path: Path) -> None:
    write(tmp_path / "web" / "package.json", json.dumps(TOOL_FILES["package.json"]))
    result = cli("validate", tmp_path / "web")
    assert result.returncode == ExitCode.INPUT
    assert "no .json file that holds STIX content" in result.stderr


def test_named_files_are_validated_whatever_they_hold_unless_skip_non_stix(
    tmp_path: Path,
) -> None:
    package = write(tmp_path / "package.json", json.dumps(TOOL_FILES["package.json"]))
    case = write(tmp_path / "case.json", bundle(identity()))
    assert cli("validate", *READER_ONLY, package, case).returncode == ExitCode.FINDINGS
    skipping = cli("validate", *READER_ONLY, "--skip-non-stix", package, case)
    assert skipping.returncode == ExitCode.OK, skipping.stdout
    assert f"{case}: 1 object" in skipping.stdout and "package.json" not in skipping.stdout


def test_exclude_leaves_out_files_and_folders(tmp_path: Path) -> None:
    root = tmp_path / "cases"
    write(root / "keep.json", bundle(identity(1)))
    write(root / "drafts" / "half.json", '{"type": "bundle", "objects": [')
    write(root / "drafts" / "deeper" / "other.json", '{"type": "bundle"')
    write(root / "old" / "x.json", '{"type": "bundle"')
    write(root / "sub" / "old" / "y.json", '{"type": "bundle"')
    write(root / "sub" / "z.draft.json", '{"type": "bundle"')
    result = cli(
        "validate", *READER_ONLY, "--format", "json",
        "--exclude", "drafts/*", "--exclude", "old", "--exclude", "*.draft.json", root,
    )  # fmt: skip
    assert result.returncode == ExitCode.OK, result.stdout
    assert [i["name"] for i in json.loads(result.stdout)["inputs"]] == [str(root / "keep.json")]
    assert collect([str(root)], ["./drafts/"]).sources == [
        str(root / p) for p in ("keep.json", "old/x.json", "sub/old/y.json", "sub/z.draft.json")
    ]


def test_exclude_applies_to_named_files_too(tmp_path: Path) -> None:
    case = write(tmp_path / "case.json", bundle(identity()))
    draft = write(tmp_path / "drafts" / "wip.json", "{broken")
    inputs = collect([str(case), str(draft)], [f"{tmp_path.as_posix()}/drafts/*"])
    assert inputs.sources == [str(case)]
    assert collect([str(case), str(draft)], ["wip.json"]).sources == [str(case)]


@pytest.mark.parametrize("glob", ["", "  ", "./", "/"])
def test_an_empty_exclude_glob_is_a_usage_error(glob: str) -> None:
    with pytest.raises(UsageError, match="--exclude needs a glob"):
        Exclusions.of([glob])

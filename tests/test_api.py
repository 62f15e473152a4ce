"""The library's public API: its exact surface, the report's verdict, and every input form.

``infoshare.validate`` takes a path, bytes, a dict or a stream; each form must
give the same findings for the same content (infoshare/validation/_sources.py).
"""

from __future__ import annotations

import inspect
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import infoshare
from infoshare import InputError, ValidationReport, validate, validate_text
from infoshare.models import Report as StixReport

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "spec" / "conformance").rglob("*.json"))
EXAMPLE = ROOT / "examples" / "01-treated-water-disinformation.json"

PUBLIC = [
    "PROFILE_VERSION",
    "STIX_SPEC_VERSION",
    "Finding",
    "InfoshareError",
    "InputError",
    "ModelError",
    "Severity",
    "Source",
    "SpecDataError",
    "UsageError",
    "ValidationOptions",
    "ValidationReport",
    "Validator",
    "__version__",
    "validate",
    "validate_text",
]


def test_the_public_surface_is_exactly_the_sorted_all() -> None:
    assert infoshare.__all__ == PUBLIC
    assert infoshare.__all__ == sorted(infoshare.__all__, key=lambda n: (not n.isupper(), n))
    public = {n for n in vars(infoshare) if not n.startswith("_")} - {
        "errors", "profile", "validation", "reporting", "reference", "stix", "cli", "models",
        "markings", "convert", "navigator", "spec_site",
    }  # fmt: skip
    assert public == set(PUBLIC) - {"__version__"}


def test_public_callables_and_classes_have_docstrings() -> None:
    for name in infoshare.__all__:
        value = getattr(infoshare, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_the_validation_report_and_the_stix_report_have_different_names() -> None:
    assert ValidationReport is not StixReport
    assert not hasattr(infoshare, "Report")
    from infoshare import models

    assert not set(infoshare.__all__) & set(models.__all__)


# --- the verdict ------------------------------------------------------------------------


def _failing_bytes() -> bytes:
    return (
        ROOT / "spec/conformance/mandatory/IS-101/fail-02-identity-without-name.json"
    ).read_bytes()


def test_passed_is_a_property_so_if_report_passed_means_what_it_says() -> None:
    report = validate(_failing_bytes(), mode="stix")
    assert report.errors > 0
    assert report.passed is False and report.passed_strict is False
    if report.passed:
        pytest.fail("a failing report reads as passed")
    good = validate(EXAMPLE)
    assert good.passed is True and good.passed_strict is True


def test_passed_strict_also_counts_warnings() -> None:
    report = ValidationReport(mode="profile")
    warning = next(c for c in infoshare.validation.catalogue().values() if c.level != "mandatory")
    report.add(infoshare.Finding(warning.id, warning.severity, "a warning", "<test>"))
    assert report.passed is True and report.passed_strict is False


# --- every input form gives the same findings -------------------------------------------


def _key(report: ValidationReport, positions: bool = True) -> list[tuple[Any, ...]]:
    return [
        (f.check_id, f.severity, f.message, f.json_path, f.object_id, f.object_index)
        + ((f.line, f.column) if positions else ())
        for f in report.findings
    ]


def _forms(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    forms: dict[str, Any] = {
        "str path": str(path),
        "Path": path,
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "binary stream": io.BytesIO(data),
        "binary stream, tiny reads": io.BufferedReader(io.BytesIO(data), buffer_size=7),
    }
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return forms
    forms["text stream"] = io.StringIO(text)
    forms["validate_text"] = text
    return forms


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(ROOT / "spec")))
def test_every_form_gives_the_same_findings(path: Path) -> None:
    expected = validate(path, mode="stix")
    for form, source in _forms(path).items():
        got = (
            validate_text(source, mode="stix")
            if form == "validate_text"
            else validate(source, mode="stix")
        )
        assert _key(got) == _key(expected), form
    try:
        parsed = json.loads(path.read_bytes())
    except ValueError:
        return  # not JSON: no dict can hold it
    if isinstance(parsed, dict):
        compact = json.dumps(parsed, ensure_ascii=False).encode()
        assert _key(validate(parsed, mode="stix"), positions=False) == _key(
            validate(compact, mode="stix"), positions=False
        )
        assert all(f.line is None for f in validate(parsed, mode="stix").findings)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.dictionaries(
        st.sampled_from(
            ["name", "created", "type", "id", "spec_version", "x_note", "labels", "lang"]
        ),
        _JSON,
        max_size=3,
    ),
    envelope=st.dictionaries(
        st.sampled_from(["id", "type", "spec_version", "x_extra"]), _JSON, max_size=2
    ),
)
def test_a_dict_and_its_json_text_give_the_same_findings(
    changes: dict[str, Any], envelope: dict[str, Any]
) -> None:
    bundle = json.loads(EXAMPLE.read_bytes())
    bundle["objects"][0].update(changes)
    bundle.update(envelope)
    text = json.dumps(bundle, ensure_ascii=False)
    from_dict = validate(bundle)
    for source in (text.encode(), io.StringIO(text), io.BytesIO(text.encode())):
        assert _key(validate(source), positions=False) == _key(from_dict, positions=False)
    assert _key(validate_text(text)) == _key(validate(text.encode()))


def test_findings_carry_the_name_of_each_form(tmp_path: Path) -> None:
    data = _failing_bytes()
    file = tmp_path / "case.json"
    file.write_bytes(data)
    assert validate(file, mode="stix").findings[0].file == str(file)
    assert validate(data, mode="stix").findings[0].file == "<bytes>"
    assert validate(json.loads(data), mode="stix").findings[0].file == "<dict>"
    assert validate(io.BytesIO(data), mode="stix").findings[0].file == "<stream>"
    with file.open(encoding="utf-8") as handle:
        assert validate(handle, mode="stix").findings[0].file == str(file)
    assert validate(data, mode="stix", name="upload.json").findings[0].file == "upload.json"


def test_a_str_is_a_path_and_json_text_in_a_str_is_explained() -> None:
    with pytest.raises(InputError, match="looks like JSON text") as caught:
        validate('  {"type": "bundle"}')
    assert "validate_text" in (caught.value.hint or "")
    with pytest.raises(InputError, match="no such file"):
        validate("no-such-case.json")


def test_a_dict_that_is_not_json_is_an_input_error() -> None:
    with pytest.raises(InputError, match="cannot be read as JSON"):
        validate({"type": "bundle", "objects": [{"when": object()}]})


def test_nan_in_a_dict_is_a_finding_as_in_a_file() -> None:
    nan_file = ROOT / "spec/conformance/mandatory/IS-001/fail-03-nan-value.json"
    assert {f.check_id for f in validate({"type": "bundle", "x": float("nan")}).findings} >= {
        "IS-001"
    }
    assert "IS-001" in {f.check_id for f in validate(nan_file).findings}


def test_text_no_utf8_file_could_hold_is_a_finding() -> None:
    report = validate_text('{"type": "bundle", "id": "\ud800"}')
    assert not report.passed
    assert report.findings[0].check_id in infoshare.validation.READER_CHECK_IDS


def test_other_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot validate a int"):
        validate(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cannot validate a list"):
        validate([{"type": "identity"}])  # type: ignore[arg-type]


def test_an_unknown_mode_is_refused_rather_than_passing_everything() -> None:
    with pytest.raises(infoshare.UsageError, match="unknown validation mode 'STIX'"):
        validate(b"{}", mode="STIX")  # type: ignore[arg-type]

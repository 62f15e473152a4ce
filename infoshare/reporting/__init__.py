"""Renderers of a validation report: text for people; JSON, SARIF 2.1.0 and GitLab
Code Quality for tools.

Implements step 7 of the validation flow (spec/profile/14-conformance.md
section 14.1). Every renderer takes a :class:`infoshare.validation.ValidationReport`,
the inputs that could not be read, and whether warnings fail (``strict``)::

    from infoshare.reporting import render_sarif
    from infoshare.validation import validate

    print(render_sarif(validate("case.json")))
"""

from infoshare.reporting._codequality import codequality_issues, render_codequality
from infoshare.reporting._json import JSON_REPORT_VERSION, render_json, report_to_dict
from infoshare.reporting._links import PROJECT_URI, section_uri
from infoshare.reporting._sarif import SARIF_VERSION, render_sarif, sarif_log
from infoshare.reporting._summary import UnreadableInput, run_passed
from infoshare.reporting._text import render_text, summary_line

__all__ = [
    "JSON_REPORT_VERSION",
    "PROJECT_URI",
    "SARIF_VERSION",
    "UnreadableInput",
    "codequality_issues",
    "render_codequality",
    "render_json",
    "render_sarif",
    "render_text",
    "report_to_dict",
    "run_passed",
    "sarif_log",
    "section_uri",
    "summary_line",
]

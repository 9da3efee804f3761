"""JUnit XML for CI systems: one test case per readiness check."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from workbench.readiness import Readiness

# Characters XML 1.0 cannot carry at all, not even escaped (ElementTree writes them as they are).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """User text (a category name from a results file) as XML can hold it."""
    return _NOT_XML.sub("\ufffd", value)


def render_junit(project_name: str, readiness: Readiness, allow_conditional: bool = False) -> str:
    """Blockers fail; open points fail too unless ``allow_conditional`` (then skipped)."""
    suite = ET.Element("testsuite", name=_text(f"readiness: {project_name}"))
    failures = skipped = 0
    for check in readiness.checks:
        case = ET.SubElement(
            suite, "testcase", classname=f"readiness.{check.area}", name=_text(check.title)
        )
        if check.passed:
            continue
        if check.blocker or not allow_conditional:
            failures += 1
            kind = "blocker" if check.blocker else "open point"
            failure = ET.SubElement(case, "failure", message=_text(check.reason), type=kind)
            failure.text = _text(f"{check.reason}\nfix it at: {check.where}")
        else:
            skipped += 1
            ET.SubElement(case, "skipped", message=_text(check.reason))
    suite.set("tests", str(len(readiness.checks)))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    root = ET.Element("testsuites", name="workbench", tests=suite.get("tests", "0"))
    root.set("failures", str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

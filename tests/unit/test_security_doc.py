"""docs/security.md names, for each case of the threat model, the test that proves its rule: every test
file and test function it names must exist, and every case 1-38 has its row (no site needed)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "security.md"


def _doc() -> str:
	return DOC.read_text(encoding="utf-8")


def _test_functions(path: Path) -> set[str]:
	tree = ast.parse(path.read_text(encoding="utf-8"))
	return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_file_named_in_the_doc_exists():
	files = set(re.findall(r"tests/[\w/]+\.py", _doc()))
	assert len(files) >= 25
	missing = sorted(f for f in files if not (ROOT / f).is_file())
	assert missing == []


def test_every_test_function_named_in_the_doc_exists():
	names = set(re.findall(r"`(test_\w+)`", _doc()))
	assert names, "the doc names no test function"
	defined = set()
	for path in (ROOT / "tests").rglob("test_*.py"):
		defined |= _test_functions(path)
	assert sorted(names - defined) == []


def test_every_case_has_a_row_with_a_test():
	rows = {}
	for line in _doc().splitlines():
		found = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*([^|]*)\|\s*$", line)
		if found:
			rows[int(found.group(1))] = found.group(3).strip()
	assert sorted(rows) == list(range(1, 39))
	for case, tests in rows.items():
		assert re.search(r"tests/security/test_\w+\.py", tests), (case, tests)
	# each case from 24 on is proven by its own file, named after the case
	for case in range(24, 39):
		assert f"tests/security/test_case_{case}_" in rows[case], case

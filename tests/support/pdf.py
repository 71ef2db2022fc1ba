"""Read a PDF back as text (pdftotext, from Debian's poppler-utils, installed by scripts/dev)."""

import subprocess
import unicodedata


def pdf_text(pdf: bytes) -> str:
	"""The text of a PDF, ligatures undone (NFKC) and whitespace collapsed; fails when `pdf` is not one."""
	assert pdf.startswith(b"%PDF-"), pdf[:40]
	result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
	return " ".join(unicodedata.normalize("NFKC", result.stdout.decode()).split())

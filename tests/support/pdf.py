"""Read a PDF back as text (pdftotext, from Debian's poppler-utils, installed by scripts/dev)."""

import subprocess


def pdf_text(pdf: bytes) -> str:
	"""The text of a PDF, whitespace collapsed; fails when `pdf` is not a PDF."""
	assert pdf.startswith(b"%PDF-"), pdf[:40]
	result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
	return " ".join(result.stdout.decode().split())

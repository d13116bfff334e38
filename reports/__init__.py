"""The reports of the assignments: Typst sources beside each assignment, built into PDFs from the results."""

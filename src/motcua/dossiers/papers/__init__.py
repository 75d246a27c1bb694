"""The standard papers of the one-stop mechanism (TT 03/2025/TT-VPCP, Phụ lục I, Mẫu 01-07).

A rendering layer over plain data: `data` holds frozen dataclasses with each paper's content,
`render` turns them into PDF bytes (WeasyPrint) and `xlsx` turns the tracking book into a
spreadsheet. Nothing here reads the database, so the dossier app maps its rows onto these
dataclasses and the papers stay testable on their own.
"""

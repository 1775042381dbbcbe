"""The test-document factory: report specs rendered to real documents, and the demo portals' builder.

Development tooling for tests and benchmarks, kept out of the installed `govarchive` package:
    spec.py          ReportSpec: one report's title, prose and figures, with its truth (stats, checks)
    random_specs.py  random but consistent specs, optionally with one planted error
    seedspecs.py     the five seed reports as specs
    layout.py        a spec as blocks (paragraphs, tables with merged cells) shared by every writer
    *_writer.py      DOCX, HTML, XLSX and plain-text writers
    convert.py       LibreOffice (DOCX → PDF/DOC) and pdftoppm (PDF → scanned PDF)
    render.py        render()/render_many() and `python -m tests.docfactory.render`
    demo_portals.py  `python -m tests.docfactory.demo_portals`: rebuilds govarchive/demo_portal/sites/
"""

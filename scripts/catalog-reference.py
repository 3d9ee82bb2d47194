#!/usr/bin/env python3
"""Independent reference for esecheck's catalog reader (issue 22 rule 5, "Measured").

Reads every database of the shared corpus with two ESE readers that share no code with
esecheck - dissect.esedb (Apache-2.0) and libesedb-python (pyesedb, LGPL) - and writes what they
see as JSON: per database, dissect's MSysObjects rows (every row it lists: table, column, index,
long-value and callback rows, each with ObjidTable, Type, Id, ColtypOrPgnoFDP and Name), its
tables (name, objid, root page, record count) and libesedb's tables (name, objid, record count).
esecheck never runs here: tests/catalog_reference.rs compares esecheck's catalog with this file.

Run (PyPI is the only source; versions are recorded in the output):

    python3 -m venv /tmp/catref-venv
    /tmp/catref-venv/bin/pip install dissect.esedb libesedb-python
    /tmp/catref-venv/bin/python scripts/catalog-reference.py ../shared/corpus \
        > testdata/catalog-reference.json

Databases are found by content (the 0x89abcdef magic at offset 4 and file type 1 at offset 667,
as the corpus MANIFEST identifies them), so logs, checkpoints and flush maps are skipped. A reader
that fails on a database or a table records the error text instead of a value.
"""

import datetime
import json
import os
import struct
import sys
from importlib.metadata import version

import pyesedb
from dissect.esedb import EseDB

# Catalog row fields as dissect names the MSysObjects columns.
ROW_FIELDS = ("ObjidTable", "Type", "Id", "ColtypOrPgnoFDP", "Name")


def is_database(path):
    with open(path, "rb") as f:
        head = f.read(672)
    if len(head) < 671:
        return False
    magic = struct.unpack_from("<I", head, 4)[0]
    filetype = struct.unpack_from("<I", head, 667)[0] if len(head) >= 671 else None
    return magic == 0x89ABCDEF and filetype in (0, 1)


def dissect_view(path):
    out = {}
    try:
        with open(path, "rb") as fh:
            db = EseDB(fh)
            rows = []
            for rec in db.catalog._ctable.records():
                rows.append({f: rec.get(f) for f in ROW_FIELDS})
            out["catalog_rows"] = rows
            tables = []
            for t in db.tables():
                entry = {
                    "name": t.name,
                    "objid": t.record.get("Id"),
                    "root_page": t.root_page,
                }
                try:
                    entry["records"] = sum(1 for _ in t.records())
                except Exception as e:  # noqa: BLE001 - the reference records what the tool says
                    entry["records_error"] = f"{type(e).__name__}: {e}"
                tables.append(entry)
            out["tables"] = tables
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
    return out


def libesedb_view(path):
    out = {}
    f = pyesedb.file()
    try:
        f.open(path)
        tables = []
        for i in range(f.get_number_of_tables()):
            t = f.get_table(i)
            entry = {"name": t.get_name(), "objid": t.get_identifier()}
            try:
                entry["records"] = t.get_number_of_records()
            except Exception as e:  # noqa: BLE001
                entry["records_error"] = f"{type(e).__name__}: {e}"
            tables.append(entry)
        out["tables"] = tables
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
    finally:
        try:
            f.close()
        except Exception:  # noqa: BLE001
            pass
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus"
    paths = []
    for d, _, files in os.walk(root):
        for n in files:
            p = os.path.join(d, n)
            if is_database(p):
                paths.append(p)
    paths.sort(key=lambda p: os.path.relpath(p, root).replace(os.sep, "/"))
    doc = {
        "provenance": {
            "what": "MSysObjects rows and tables of every corpus database, read by independent tools",
            "tools": {
                "dissect.esedb": version("dissect.esedb"),
                "dissect.cstruct": version("dissect.cstruct"),
                "dissect.util": version("dissect.util"),
                "libesedb-python": version("libesedb-python"),
            },
            "python": sys.version.split()[0],
            "date": datetime.date.today().isoformat(),
            "script": "scripts/catalog-reference.py",
        },
        "databases": {},
    }
    for p in paths:
        rel = os.path.relpath(p, root).replace(os.sep, "/")
        doc["databases"][rel] = {"dissect": dissect_view(p), "libesedb": libesedb_view(p)}
    json.dump(doc, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Independent page facts for tests/catalogue_trees.rs (issue 22's "Done when" catalogue rows).

Reads one database with dissect.esedb (Apache-2.0, shares no code with esecheck) and prints, per
tree of its catalog (MSysObjects rows: tables type 1, indexes type 3, long values type 4), the tree
walked from its root page (pgnoFDP) with dissect's page reader: every page reached, its level, its
objidFDP and fFlags (ESE-FORMAT.md §3.1 and §3.3, read here with struct at offsets 24 and 36), its
sibling links (pgnoPrev @16, pgnoNext @20) and, for leaves, the number of nodes and of nodes not
flagged deleted (TAG flag 0x2). The space trees are walked the same way from the root page's space
header (SPACE_HEADER: flags @8 bit 0x1 multiple extent, pgnoOE @12, AE = OE + 1;
LOGICAL-INTEGRITY.md §3.2). esecheck never runs here.

Run:

    python3 -m venv /tmp/catref-venv
    /tmp/catref-venv/bin/pip install dissect.esedb libesedb-python
    /tmp/catref-venv/bin/python scripts/tree-facts.py testdata/<set>/SRUDB.dat [--pages A,B,...]

With --pages, it also prints the raw header fields of those pages (dbtime @8, prev, next, objid,
flags, node counts), for comparing two snapshots of one database page by page.
"""

import struct
import sys

from dissect.esedb import EseDB

DELETED = 0x2


def header(buf):
    dbtime, prev, nxt, objid = struct.unpack_from("<QIII", buf, 8)
    flags = struct.unpack_from("<I", buf, 36)[0]
    itag = struct.unpack_from("<H", buf, 34)[0]
    return dbtime, prev, nxt, objid, flags, itag


def live_nodes(page):
    n = 0
    for node in page.nodes():
        if not node.tag.flags & DELETED:
            n += 1
    return n


def walk(db, root, seen, out, depth=0):
    """Depth-first walk from `root` in key order; out gets (pgno, depth, page)."""
    if root in seen:
        out.append((root, depth, None))
        return
    seen.add(root)
    page = db.page(root)
    out.append((root, depth, page))
    if page.is_branch:
        for node in page.nodes():
            walk(db, node.child, seen, out, depth + 1)


def space_roots(page):
    """(OE root, AE root) from a root page's space header, or None for a single extent."""
    ext = bytes(page.tag(0).data)
    if len(ext) == 25:
        ext = ext[1:17]
    if len(ext) < 16:
        return None
    _cpg, _parent, flags, pgno_oe = struct.unpack_from("<IIII", ext, 0)
    if flags & 0x1:
        return pgno_oe, pgno_oe + 1
    return None


def describe(db, name, kind, root):
    out = []
    walk(db, root, set(), out)
    print(f"== {kind} {name!r} root {root}")
    for pgno, depth, page in out:
        if page is None:
            print(f"   {'  ' * depth}{pgno} (again)")
            continue
        dbtime, prev, nxt, objid, flags, _ = header(page.buf)
        what = "leaf" if page.is_leaf else "internal"
        if page.is_leaf:
            extra = f" nodes {page.node_count} live {live_nodes(page)}"
        else:
            extra = f" children {[n.child for n in page.nodes()]}"
        print(
            f"   {'  ' * depth}{pgno} {what} objid {objid} flags {flags:#x} prev {prev} next {nxt} dbtime {dbtime}{extra}"
        )
    roots = space_roots(db.page(root))
    if roots:
        for label, r in zip(("OE", "AE"), roots):
            sp = []
            walk(db, r, set(), sp)
            pages = [p for p, _, _ in sp]
            print(f"   space {label} root {r}: pages {pages}")


def main():
    path = sys.argv[1]
    pages = []
    if "--pages" in sys.argv:
        pages = [int(x) for x in sys.argv[sys.argv.index("--pages") + 1].split(",")]
    with open(path, "rb") as fh:
        db = EseDB(fh)
        if pages:
            for p in pages:
                buf = db.page(p).buf
                if not any(buf):
                    print(f"page {p}: all zero")
                    continue
                dbtime, prev, nxt, objid, flags, itag = header(buf)
                print(f"page {p}: dbtime {dbtime} prev {prev} next {nxt} objid {objid} flags {flags:#x} itagMicFree {itag & 0xFFF}")
            return
        print(f"database root: space OE/AE {space_roots(db.page(1))}")
        rows = list(db.catalog._ctable.records())
        names = {r.get("Id"): r.get("Name") for r in rows if r.get("Type") == 1}
        fdps = {r.get("Id"): r.get("ColtypOrPgnoFDP") for r in rows if r.get("Type") == 1}
        for r in rows:
            t = r.get("Type")
            if t == 1:
                describe(db, r.get("Name"), "data", r.get("ColtypOrPgnoFDP"))
            elif t == 3 and r.get("ColtypOrPgnoFDP") != fdps.get(r.get("ObjidTable")):
                describe(db, f"{r.get('Name')} of {names.get(r.get('ObjidTable'))}", "index", r.get("ColtypOrPgnoFDP"))
            elif t == 4:
                describe(db, f"LV of {names.get(r.get('ObjidTable'))}", "long_values", r.get("ColtypOrPgnoFDP"))


if __name__ == "__main__":
    main()

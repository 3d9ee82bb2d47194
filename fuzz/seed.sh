#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds built from testdata/ (nothing here is committed: the
# corpus directories are git-ignored). Re-running is safe; existing corpus entries are kept.
set -euo pipefail
cd "$(dirname "$0")"
TD=../testdata
C=corpus
mkdir -p $C/{db_header,page,database,log_raw,log_structured,checkpoint,names,directory,catalog}

python3 - "$TD" "$C" <<'PY'
import glob, os, struct, sys, hashlib
td, c = sys.argv[1], sys.argv[2]

def put(target, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(c, target, name), "wb") as f:
        f.write(data)

files = [p for p in glob.glob(os.path.join(td, "**", "*"), recursive=True) if os.path.isfile(p) and not p.endswith(".md")]
dbs = [p for p in files if p.lower().endswith((".dat", ".edb", ".mdb", ".db"))]
logs = [p for p in files if p.lower().endswith((".log", ".jrs"))]
chks = [p for p in files if p.lower().endswith(".chk")]
jfms = [p for p in files if p.lower().endswith(".jfm")]

def rd(p, n=None):
    with open(p, "rb") as f:
        return f.read() if n is None else f.read(n)

seen = set()
for p in dbs:
    b = rd(p)
    ps = struct.unpack_from("<I", b, 236)[0] or 4096
    put("db_header", b[: 2 * ps])
    # Header pages plus a few data pages: small enough to mutate quickly.
    for npages in (4, 10):
        img = b[: npages * ps]
        for flags in (0, 3):
            put("database", bytes([flags]) + img)
    # catalog: the page-size byte, then pages 0.. (the file minus its two header pages), cut
    # where a 4 KiB catalog still fits (pages 4 and 24 and their leaves).
    sel = {4096: 0, 8192: 1, 16384: 2, 32768: 3}.get(ps)
    if sel is not None:
        put("catalog", bytes([sel]) + b[2 * ps: 2 * ps + 48 * 4096])
    for k in (2, 3, 5):
        page = b[k * ps:(k + 1) * ps]
        if page:
            put("page", struct.pack("<II", k - 1, len(b) // ps) + page)
for p in logs:
    b = rd(p)
    h = hashlib.sha1(b).digest()
    if h in seen:
        continue
    seen.add(h)
    put("log_raw", b)
    put("names", bytes([len(os.path.basename(p))]) + os.path.basename(p).encode() + b[:4096])
    csec = len(b) // 4096
    # v8: mode 0x02 (fix up, seal segments in the mask), csec byte so that 1 + 1 + extra == csec.
    put("log_structured", bytes([0x00, (csec - 2) % 16]) + b"\x00\x00" + b)
    for mode in (0x02, 0x12, 0x22, 0x42):  # sealed; + fuzzed lgpos, shadow copies, one flipped bit
        put("log_structured", bytes([mode, (csec - 2) % 16]) + b"\xfe\xff" + b)
    for k in range(1, 4):
        put("page", struct.pack("<II", k, csec) + b[k * 4096:(k + 1) * 4096])
for p in chks:
    b = rd(p)
    put("checkpoint", b"\x00" + b)
    put("checkpoint", b"\x01" + b)
    put("names", bytes([len(os.path.basename(p))]) + os.path.basename(p).encode() + b[:4096])
for p in jfms:
    put("names", bytes([len(os.path.basename(p))]) + os.path.basename(p).encode() + rd(p))

# v7 logs (7.3704): no real ones in testdata, so a header plus a short LRCHECKSUM chain; the
# target recomputes the checksums (mode bit 1) and forces the header fields.
def v7(cb_sec, nsec, recs):
    b = bytearray(nsec * cb_sec)
    struct.pack_into("<i", b, 4, 1)
    struct.pack_into("<I", b, 40, 15)
    start = 4096
    pos = start
    for i, (fwd, nxt, short) in enumerate(recs):
        for j in range(fwd):
            if pos + 22 + j < len(b):
                b[pos + 22 + j] = (j * 13 + i + 1) & 0xFF
        struct.pack_into("<BIII", b, pos, 42, pos % cb_sec, fwd, nxt)
        b[pos + 21] = 0x9A if short else 0xD1
        pos += 22 + nxt
    return bytes(b)
for cb_sec, mode in ((512, 0x03), (4096, 0x07)):
    nsec = 4096 // cb_sec + 8
    extra = nsec - 4096 // cb_sec - 1
    for recs in ([(100, 100, False), (50, 0, False)], [(30, 40, True), (10, 30, True), (5, 0, False)], [(200, 0, False)]):
        put("log_structured", bytes([mode, extra]) + b"\x00\x00" + v7(cb_sec, nsec, recs))

# Attach lists: the checkpoint's attach area and log headers' rgbAttach (both in the files).
for p in chks[:2]:
    put("names", b"\x07E00.chk" + rd(p)[0x400:0x400 + 4096])
for n in ("E00.log", "E0000001.log", "edb0000A.log", "E00FFFFF.log", "E0000000001.log", "SRUtmp.log", "E00res00001.jrs", "x.chk", "db.edb", "a.jfm"):
    put("names", bytes([len(n)]) + n.encode())

# Directories: each real set (checkpoint + logs, small databases) as inline-named files.
def entry(name, data, flags=0):
    nb = 0x10 | flags
    return bytes([nb, len(name)]) + name.encode() + struct.pack("<I", len(data))[:3] + data
dirs = sorted({os.path.dirname(p) for p in logs + chks})
for d in dirs:
    members = sorted(os.listdir(d))
    logs_here = [m for m in members if m.lower().endswith(".log")]
    chk_here = [m for m in members if m.lower().endswith(".chk")]
    pick = chk_here[:1] + logs_here[:3]
    put("directory", b"".join(entry(m, rd(os.path.join(d, m))) for m in pick))
    pick = logs_here[-2:]
    put("directory", b"".join(entry(m, rd(os.path.join(d, m))) for m in pick))
small = [p for p in dbs if os.path.getsize(p) <= 96 * 1024]
for p in small:
    put("directory", entry(os.path.basename(p), rd(p)))
# A database cut to header pages and a few pages, next to a checkpoint and a log.
if dbs and chks and logs:
    b = rd(dbs[0]); ps = struct.unpack_from("<I", b, 236)[0] or 4096
    put("directory", entry("SRUDB.dat", b[: 6 * ps]) + entry("SRU.chk", rd(chks[0])) + entry("SRU.log", rd(logs[0])))
PY
for t in $C/*; do echo "$(ls "$t" | wc -l) seeds in $t"; done

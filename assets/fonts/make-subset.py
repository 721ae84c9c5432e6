#!/usr/bin/env python3
"""Regenerates assets/fonts/NotoSansSC-Yunzhan.otf, the CJK font Yunzhan ships.

A subset of Noto Sans CJK SC (SIL Open Font License 1.1, see OFL.txt) from
Debian's fonts-noto-cjk: ASCII, Latin-1, CJK punctuation, the 3,755 level-1
hanzi of GB 2312, and every character used by the catalog, its named-project
data and the app's source (UI strings). Needs `pip install fonttools`.

No OpenType layout features are kept: neither egui nor the card painter
shapes text (each character is drawn with the glyph its cmap names), and
keeping them (`--layout-features=*`) pulls in every alternate glyph the
features reach (Japanese, Korean and traditional forms, vertical forms):
7,885 glyphs instead of 4,268 and twice the file.

    python3 assets/fonts/make-subset.py
"""
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = 2  # Noto Sans CJK SC inside the collection
OUT = ROOT / "assets/fonts/NotoSansSC-Yunzhan.otf"

chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set(chr(c) for c in range(0xA0, 0x100))
chars |= set(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
chars |= set(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
chars |= set("—–…·•“”‘’←→↑↓×÷±°№※★☆✓✔✕✖▶◀▲▼●○■□")
for row in range(0xB0, 0xD8):  # GB 2312 level 1: rows 16-55
    for cell in range(0xA1, 0xFF):
        try:
            chars.add(bytes([row, cell]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
texts = [ROOT / "assets/catalog/catalog.json", ROOT / "crates/yunzhan-model/data/named-projects.json"]
texts += sorted((ROOT / "src").rglob("*.rs")) + sorted((ROOT / "crates").rglob("*.rs"))
for path in texts:
    chars |= set(path.read_text(encoding="utf-8"))
chars = sorted(c for c in chars if c.isprintable() or c == " ")
subprocess.run(
    [
        "pyftsubset", SOURCE, f"--font-number={SC_INDEX}",
        "--text=" + "".join(chars),
        "--layout-features=", "--no-hinting", "--desubroutinize",
        f"--output-file={OUT}",
    ],
    check=True,
)
print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters, {OUT.stat().st_size} bytes")

""".doc, .wps, .rtf and .odt read through LibreOffice (kg.read.office), and .ofd through ofdkit (kg.read.ofd).

The files are made here from seed 000 (corpus/000_*.txt) with LibreOffice itself: the text
imported as UTF-8 and saved as Word 97-2003 (.doc), RTF and ODT. A .wps is a .doc renamed: what
WPS Office (Kingsoft) writes under that name is a Word 97-2003 binary (LibreOffice registers
.wps with its Word 97 type), and there is no WPS Office here to write a real one, so a renamed
.doc is the honest approximation. Each must give the responsibility table of the .txt.

The .ofd is laid out from the PDF LibreOffice prints of seed 000: one OFD text object per run of
characters of a line (the positions, sizes and advances pdfplumber reads), as a PDF-to-OFD
converter writes them; it must give the table of that PDF.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from kg.read import office
from kg.errors import KgError
from kg.read.files import read_file, read_paths

SOFFICE = office.soffice()
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (Debian: libreoffice-writer; .ci/system-deps.sh "
                            "installs it when run as root)")


def libreoffice(src: Path, target: str, outdir: Path, infilter: str | None = None) -> Path:
    """Convert ``src`` with LibreOffice (a private profile) into ``outdir``; the new file."""
    profile = outdir / ".profile"
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    cmd += ["--convert-to", target, "--outdir", str(outdir), str(src)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180, env=dict(os.environ, HOME=str(outdir)))
    shutil.rmtree(profile, ignore_errors=True)
    made = outdir / (src.stem + "." + target.split(":")[0])
    assert made.is_file(), f"LibreOffice made no {made.name}"
    return made


@pytest.fixture(scope="session")
def seed000(tmp_path_factory, seed_path) -> dict[str, Path]:
    """Seed 000 as .txt, .doc, .wps, .rtf, .odt and .pdf (made by LibreOffice)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer); it makes the test files")
    d = tmp_path_factory.mktemp("office")
    txt = d / "plan000.txt"
    shutil.copyfile(seed_path("000"), txt)
    text_in = "Text (encoded):UTF8,LF,,,"
    files = {"txt": txt}
    files["doc"] = libreoffice(txt, "doc:MS Word 97", d, text_in)
    files["rtf"] = libreoffice(txt, "rtf", d, text_in)
    files["odt"] = libreoffice(txt, "odt", d, text_in)
    files["pdf"] = libreoffice(files["doc"], "pdf", d)
    files["wps"] = d / "plan000.wps"
    shutil.copyfile(files["doc"], files["wps"])
    return files


def table(path: Path, tmp: Path) -> list[tuple]:
    """The responsibility table of one file built alone, without the document column (its name)."""
    from kg.build import pipeline
    from kg.query.store import Store
    from kg.query.table import responsibility_rows

    out = tmp / ("build-" + path.name.replace(".", "-"))
    pipeline.build([str(path)], out=out)
    return [tuple(v for k, v in r.items() if k != "document") for r in responsibility_rows(Store.open(out))]


@pytest.fixture(scope="session")
def txt_table(seed000, tmp_path_factory):
    rows = table(seed000["txt"], tmp_path_factory.mktemp("txt-table"))
    # seed 000, read by eye: 47 tasks; task 1 is led by 区委编办 and six other units
    assert len({r[3] for r in rows}) == 47
    assert ("1", "全面实行政府权责清单制度", "lead", "区委编办") in {r[3:7] for r in rows}
    return rows


# ----------------------------------------------------------------------------- the same table

@needs_soffice
@pytest.mark.parametrize("fmt", ["doc", "wps", "rtf", "odt"])
def test_seed_000_in_each_format_gives_the_table_of_the_txt(seed000, txt_table, tmp_path, fmt):
    source = read_file(seed000[fmt])
    assert source.format == fmt and source.name == f"plan000.{fmt}"
    assert "1．全面实行政府权责清单制度。" in source.text
    assert table(seed000[fmt], tmp_path) == txt_table


@needs_soffice
def test_the_wps_is_a_word_97_binary_as_wps_office_writes_it(seed000):
    data = seed000["wps"].read_bytes()
    assert data.startswith(office.OLE) and office.WORD_STREAM in data
    assert office.sniff("x.wps", data, "wps") == ("convert", "MS Word 97")


@needs_soffice
def test_a_folder_of_office_files_is_walked_and_read(seed000, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for fmt in ("doc", "wps", "rtf", "odt"):
        shutil.copyfile(seed000[fmt], folder / f"plan.{fmt}")
    (folder / "plan.xls").write_bytes(b"not read")
    sources = read_paths([str(folder)])
    assert [s.format for s in sources] == ["doc", "odt", "rtf", "wps"]
    assert len({s.text for s in sources}) <= 2  # .doc and .wps are one file; rtf/odt the same text
    assert all("47．" in s.text for s in sources)


@needs_soffice
def test_conversions_at_the_same_time_do_not_collide(seed000):
    results: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(fmt):
        try:
            results[fmt] = read_file(seed000[fmt]).text
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(f,)) for f in ("doc", "wps", "rtf", "odt")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results["doc"] == results["wps"]
    assert all("47．" in t for t in results.values())


def test_a_docx_named_doc_is_read_without_libreoffice(tmp_path, make_docx, monkeypatch):
    path = make_docx(tmp_path / "real.docx", ["某某区法治政府建设实施方案", "1．全面实行政府权责清单制度。（牵头单位：区司法局）"])
    renamed = tmp_path / "plan.doc"
    shutil.copyfile(path, renamed)
    monkeypatch.setattr(office, "soffice", lambda: None)
    assert read_file(renamed).text == read_file(path).text
    assert read_file(renamed).format == "doc"


# ----------------------------------------------------------------------------- bad input

def _fails(path, *needles) -> str:
    with pytest.raises(KgError) as info:
        read_file(path)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(path)), msg
    for n in needles:
        assert n in msg, msg
    return msg


@needs_soffice
def test_a_truncated_doc_is_one_line(seed000, tmp_path, monkeypatch):
    path = tmp_path / "cut.doc"
    path.write_bytes(seed000["doc"].read_bytes()[:20000])  # LibreOffice writes the directory last
    monkeypatch.setattr(office, "soffice", lambda: (_ for _ in ()).throw(AssertionError("ran LibreOffice")))
    _fails(path, "is truncated", "save it as .docx")


@needs_soffice
def test_a_corrupt_doc_is_one_line_from_libreoffice(seed000, tmp_path):
    data = bytearray(seed000["doc"].read_bytes())
    data[512:20000] = bytes(20000 - 512)  # the header and the directory kept, the text stream zeroed
    path = tmp_path / "corrupt.doc"
    path.write_bytes(bytes(data))
    _fails(path, "LibreOffice could not read it as a Word 97-2003 document (Error: source file could not be loaded)",
           "save it as .docx")


@needs_soffice
@pytest.mark.parametrize("fmt,cut", [("rtf", 30000), ("odt", 30000)])
def test_a_truncated_rtf_or_odt_is_one_line(seed000, tmp_path, fmt, cut):
    path = tmp_path / f"cut.{fmt}"
    path.write_bytes(seed000[fmt].read_bytes()[:cut])
    _fails(path, "not")


@needs_soffice
def test_a_wps_that_is_no_word_file_is_tried_as_works_and_fails_in_one_line(tmp_path):
    path = tmp_path / "odd.wps"
    path.write_bytes(office.OLE + bytes(range(256)) * 40)
    _fails(path, "LibreOffice could not read it as a WPS document")


@pytest.mark.parametrize("name,data,needle", [
    ("text.doc", "某某区实施方案，一份纯文本。".encode("utf-8"), "is not a Word 97-2003 document"),
    ("page.doc", b"<html><body><p>\xe6\x96\xb9\xe6\xa1\x88</p></body></html>", "rename it to .html"),
    ("mht.doc", b"MIME-Version: 1.0\r\nContent-Type: multipart/related\r\n", "web page saved as .doc"),
    ("sheet.doc", office.OLE + b"\x00" * 1024, "no WordDocument stream"),
    ("plain.rtf", b"hello", "does not start with {\\rtf"),
    ("plain.odt", b"hello", "not a valid .odt"),
    ("sheet.odt", None, "of another kind (application/vnd.oasis.opendocument.spreadsheet)"),
])
def test_a_file_that_is_not_what_its_name_says_is_refused_before_libreoffice(tmp_path, monkeypatch, name, data,
                                                                             needle):
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    else:
        path.write_bytes(data)
    monkeypatch.setattr(office, "soffice", lambda: (_ for _ in ()).throw(AssertionError("ran LibreOffice")))
    _fails(path, needle)


def test_without_libreoffice_the_error_names_the_debian_package(tmp_path, monkeypatch):
    path = tmp_path / "plan.rtf"
    path.write_bytes(b"{\\rtf1\\ansi 1. plan}")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert office.soffice() is None
    _fails(path, "needs LibreOffice, which is not installed", "apt-get install libreoffice-writer",
           "save the file as .docx")


def _procs_with(marker: str) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if marker in (p / "cmdline").read_bytes().decode("utf-8", "replace"):
                    out.append(int(p.name))
            except OSError:
                pass
    return out


@needs_soffice
def test_a_conversion_over_its_time_is_stopped_with_its_processes_and_folder(seed000, tmp_path, monkeypatch):
    made: list[str] = []
    real = office.tempfile.mkdtemp

    def mkdtemp(**kw):
        made.append(real(**kw))
        return made[-1]

    monkeypatch.setattr(office.tempfile, "mkdtemp", mkdtemp)
    monkeypatch.setenv("KG_SOFFICE_TIMEOUT", "0.05")
    _fails(seed000["doc"], "LibreOffice took longer than 0.05 s", "KG_SOFFICE_TIMEOUT")
    assert made and not Path(made[0]).exists()
    assert _procs_with(made[0]) == []
    monkeypatch.setenv("KG_SOFFICE_TIMEOUT", "soon")
    with pytest.raises(KgError, match="KG_SOFFICE_TIMEOUT='soon' is not a number"):
        office.timeout()


@needs_soffice
def test_a_conversion_writes_nothing_beside_the_document(seed000, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copyfile(seed000["doc"], folder / "plan.doc")
    before = sorted(p.name for p in folder.iterdir())
    read_file(folder / "plan.doc")
    assert sorted(p.name for p in folder.iterdir()) == before


@needs_soffice
def test_kg_build_of_a_corrupt_doc_is_one_line_and_writes_nothing(seed000, tmp_path):
    import sys

    data = bytearray(seed000["doc"].read_bytes())
    data[512:20000] = bytes(20000 - 512)
    bad = tmp_path / "bad.doc"
    bad.write_bytes(bytes(data))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(bad), "--out", str(out)],
                       capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)
    assert r.returncode != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "LibreOffice could not read it" in lines[0], r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert not out.exists()


# ----------------------------------------------------------------------------- .ofd

OFD_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
MM = 25.4 / 72  # millimetres per PDF point


def make_ofd(path: Path, pages: list[list[tuple[float, float, float, str, list[float]]]]) -> Path:
    """An OFD package: per page, text objects (x, top, size, text, advances) in millimetres."""
    uid = 10
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {OFD_NS} Version="1.0" DocType="OFD">'
                   "<ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID></ofd:DocInfo>"
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
        z.writestr("Doc_0/Document.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {OFD_NS}>'
                   "<ofd:CommonData><ofd:MaxUnitID>99999</ofd:MaxUnitID><ofd:PageArea>"
                   "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
                   "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData><ofd:Pages>"
                   + "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
                   + "</ofd:Pages></ofd:Document>")
        z.writestr("Doc_0/PublicRes.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {OFD_NS} BaseLoc="Res">'
                   '<ofd:Fonts><ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
        for i, objects in enumerate(pages):
            body = []
            for x, top, size, text, advances in objects:
                uid += 1
                width = sum(advances) + size
                delta = f' DeltaX="{" ".join(f"{a:.3f}" for a in advances)}"' if advances else ""
                body.append(f'<ofd:TextObject ID="{uid}" Boundary="{x:.3f} {top:.3f} {width:.3f} {size * 1.4:.3f}" '
                            f'Font="2" Size="{size:.3f}"><ofd:TextCode X="0" Y="{size * 0.88:.3f}"{delta}>'
                            f"{escape(text)}</ofd:TextCode></ofd:TextObject>")
            z.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {OFD_NS}>'
                       '<ofd:Content><ofd:Layer ID="3">' + "".join(body) + "</ofd:Layer></ofd:Content></ofd:Page>")
    return path


def ofd_from_pdf(pdf: Path, path: Path, per_char: bool = False) -> Path:
    """The text of a PDF as OFD text objects: a run per line and font (or one per character)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            objects, run = [], []

            def flush():
                if run and "".join(c["text"] for c in run).strip():
                    objects.append((run[0]["x0"] * MM, run[0]["top"] * MM, run[0]["size"] * MM,
                                    "".join(c["text"] for c in run),
                                    [(b["x0"] - a["x0"]) * MM for a, b in zip(run, run[1:])]))
                run.clear()

            for c in sorted(page.chars, key=lambda c: (round(c["top"], 1), c["x0"])):
                if run and (per_char or abs(c["top"] - run[-1]["top"]) > 1 or c["fontname"] != run[-1]["fontname"]):
                    flush()
                run.append(c)
            flush()
            pages.append(objects)
    return make_ofd(path, pages)


@needs_soffice
@pytest.mark.parametrize("per_char", [False, True], ids=["runs", "characters"])
def test_an_ofd_of_seed_000_gives_the_table_of_its_pdf(seed000, tmp_path, per_char):
    ofd = ofd_from_pdf(seed000["pdf"], tmp_path / "plan000.ofd", per_char=per_char)
    source = read_file(ofd)
    assert source.format == "ofd" and "1．全面实行政府权责清单制度。" in source.text
    pdf_rows = table(seed000["pdf"], tmp_path)
    assert len({r[3] for r in pdf_rows}) == 47
    assert table(ofd, tmp_path) == pdf_rows


def test_an_ofd_is_read_in_reading_order(tmp_path):
    # two pages; the second line is written before the first, and a line is split in two objects
    line1 = "某某区法治政府建设实施方案"
    line2a, line2b = "1．全面实行政府权责清单制度。", "（牵头单位：区司法局；配合单位：区委编办）"
    path = make_ofd(tmp_path / "plan.ofd", [
        [(20, 40, 4.0, line2a, [4.0] * (len(line2a) - 1)),
         (20 + 4.0 * len(line2a), 40, 4.0, line2b, [4.0] * (len(line2b) - 1)),
         (20, 25, 5.0, line1, [5.0] * (len(line1) - 1))],
        [(20, 25, 4.0, "2．推进政府机构职能优化协同高效。", [4.0] * 16)],
    ])
    text = read_file(path).text
    assert text.split("\n") == [line1, "", line2a + line2b, "2．推进政府机构职能优化协同高效。"]


@pytest.mark.parametrize("make,needle", [
    (lambda p: p.write_bytes(b"%PDF-1.4 not an ofd"), "not a valid .ofd (not a zip package"),
    (lambda p: zipfile.ZipFile(p, "w").writestr("x.xml", "<x/>"), "OFD.xml is missing"),
    (lambda p: make_ofd(p, [[]]), "has no text to read"),
    (lambda p: p.write_bytes(make_ofd(p, [[(10, 10, 4, "某某", [4])]]).read_bytes()[:200]), "not a valid .ofd"),
])
def test_a_bad_ofd_is_one_line(tmp_path, make, needle):
    path = tmp_path / "bad.ofd"
    make(path)
    _fails(path, needle)

"""Word 97-2003 (.doc), WPS (.wps), RTF and OpenDocument (.odt) files, read by having LibreOffice
make a .docx of them; ``kg.read.docx`` then reads that .docx as any other.

``to_docx(path, data, fmt) -> bytes`` runs ``soffice --headless --convert-to docx`` on a copy of
the file in a private temporary folder, with a private user profile
(``-env:UserInstallation``), so that conversions running at the same time (two builds, a
parallel read) never share a LibreOffice instance or its lock files, and the folder the
document came from is never written to. The run is killed (its whole process group) after
``TIMEOUT`` seconds (``KG_SOFFICE_TIMEOUT`` overrides it). The folder is removed afterwards.

Before LibreOffice sees a file its first bytes are checked, so a file that is not what its
name says gets a one-line error instead of being imported as plain text (LibreOffice's
fallback for anything it cannot place), and every import filter is named explicitly:

* ``.doc``: an OLE compound file with a ``WordDocument`` stream (filter ``MS Word 97``). A .doc
  that is really a .docx (a zip with word/document.xml) is read as one without LibreOffice; one
  that is really RTF is converted as RTF; a web page saved as .doc is refused with a hint.
* ``.wps``: what WPS Office (Kingsoft) writes under that name is a Word 97-2003 binary, and
  LibreOffice registers .wps as such; a .wps with no ``WordDocument`` stream is tried as a
  Microsoft Works document (filter ``MS_Works``), the other program that used the extension.
* ``.rtf``: starts with ``{\\rtf`` (filter ``Rich Text Format``).
* ``.odt``: a zip whose ``mimetype`` is ``application/vnd.oasis.opendocument.text`` (``writer8``).

Without LibreOffice the error names the Debian package to install (libreoffice-writer).
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from kg.errors import KgError
from kg.read.docx import read_docx

# extension -> format name (kg.model.Source.format)
FORMATS = {".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".odt": "odt"}
TIMEOUT = 120.0  # seconds for one conversion; a 100-page plan takes 1-3 s
PACKAGE = "libreoffice-writer"  # the Debian package that provides soffice and Writer's filters

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORD_STREAM = "WordDocument".encode("utf-16-le")
ODT = b"application/vnd.oasis.opendocument.text"
NAMES = {"doc": "Word 97-2003 document", "wps": "WPS document", "rtf": "RTF document",
         "odt": "OpenDocument text"}


def _fail(path: str, reason: str) -> KgError:
    return KgError(" ".join(f"{path}: {reason}".split()))


def soffice() -> Optional[str]:
    """The LibreOffice program on PATH (soffice, or libreoffice), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def timeout() -> float:
    raw = os.environ.get("KG_SOFFICE_TIMEOUT")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise KgError(f"KG_SOFFICE_TIMEOUT={raw!r} is not a number of seconds; unset it or give e.g. 120") from None
        if value > 0:
            return value
    return TIMEOUT


def sniff(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """What to do with the bytes of a ``fmt`` file: ("docx", None) when they are a .docx already,
    else ("convert", LibreOffice import filter). A one-line KgError when they are not a document
    of that kind."""
    head = data[:2048]
    if fmt in ("doc", "wps"):
        if data.startswith(OLE):
            if _ole_cut(data):
                raise _fail(path, "is truncated (the file ends before its table of contents); download it "
                                  "again, or open it in Word or WPS and save it as .docx")
            if WORD_STREAM in data:
                return "convert", "MS Word 97"
            if fmt == "wps":
                return "convert", "MS_Works"
            raise _fail(path, "is an Office file but not a Word document (no WordDocument stream: an Excel or "
                              "PowerPoint file renamed?); give the Word document")
        if data.startswith(b"PK") and _zip_has(data, "word/document.xml"):
            return "docx", None  # a .docx under an old name: read it as such
        if head.lstrip().startswith(b"{\\rtf"):
            return "convert", "Rich Text Format"
        low = head.lower()
        if b"<html" in low or b"<!doctype html" in low or low.startswith(b"mime-version:"):
            raise _fail(path, f"is a web page saved as .{fmt}, not a Word document; rename it to .html "
                              "(or save it as .docx) and read it again")
        raise _fail(path, f"is not a {NAMES[fmt]} (it does not start as one: truncated, or another kind "
                          "of file); open it in Word or WPS and save it as .docx")
    if fmt == "rtf":
        if head.lstrip().startswith(b"{\\rtf"):
            return "convert", "Rich Text Format"
        raise _fail(path, "is not an RTF document (it does not start with {\\rtf); open it in Word or WPS "
                          "and save it as .docx")
    if fmt == "odt":
        if data.startswith(b"PK"):
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    mime = z.read("mimetype").strip()
            except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, ValueError):
                mime = b""
            if mime == ODT:
                return "convert", "writer8"
            if mime:
                raise _fail(path, f"is an OpenDocument file of another kind ({mime.decode('ascii', 'replace')}), "
                                  "not text; give the plan's text document")
        raise _fail(path, "not a valid .odt (not an OpenDocument text package: truncated or corrupt); "
                          "re-save it from LibreOffice or WPS")
    raise KgError(f"internal: kg.read.office has no format {fmt!r}")


def _ole_cut(data: bytes) -> bool:
    """True when an OLE compound file ends before its first directory sector (a cut download)."""
    import struct

    if len(data) < 512:
        return True
    shift, = struct.unpack_from("<H", data, 0x1E)
    first, = struct.unpack_from("<I", data, 0x30)
    if not 7 <= shift <= 16 or first >= 0xFFFFFFFA:
        return False  # not a header we can judge: LibreOffice will say
    return (first + 1) << shift >= len(data)


def _zip_has(data: bytes, name: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return name in z.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False


def read(path: str, data: bytes, fmt: str) -> tuple[str, Optional[str]]:
    """The reader of .doc, .wps, .rtf and .odt: (the text of the .docx LibreOffice makes of it, None)."""
    return read_docx(path, to_docx(path, data, fmt)), None


def to_docx(path: str, data: bytes, fmt: str) -> bytes:
    """The bytes of a .docx with the content of ``data`` (a ``fmt`` file read from ``path``)."""
    action, infilter = sniff(path, data, fmt)
    if action == "docx":
        return data
    program = soffice()
    if program is None:
        raise _fail(path, f"reading a .{fmt} file needs LibreOffice, which is not installed; install it "
                          f"(Debian/Ubuntu: apt-get install {PACKAGE}) or save the file as .docx")
    limit = timeout()
    work = Path(tempfile.mkdtemp(prefix="kg-soffice-"))
    try:
        src = work / "in" / ("document." + ("doc" if infilter == "MS Word 97" else fmt))
        src.parent.mkdir()
        src.write_bytes(data)
        out = work / "out"
        cmd = [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nolockcheck", f"--infilter={infilter}",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
        env = dict(os.environ, HOME=str(work))  # nothing of a user's own LibreOffice is read or written
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    cwd=work, env=env, start_new_session=True)
        except OSError as e:
            raise _fail(path, f"LibreOffice ({program}) would not start ({e.strerror or e}); reinstall it "
                              f"(apt-get install --reinstall {PACKAGE}) or save the file as .docx") from None
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise _fail(path, f"LibreOffice took longer than {limit:g} s to convert it and was stopped; "
                              "save the file as .docx, or raise KG_SOFFICE_TIMEOUT") from None
        except BaseException:  # interrupted (Ctrl-C): stop LibreOffice too
            _kill(proc)
            raise
        made = out / "document.docx"
        if not made.is_file() or made.stat().st_size == 0:
            why = _reason(err)
            raise _fail(path, f"LibreOffice could not read it as a {NAMES[fmt]} ({why}): it is corrupt or "
                              "not really that kind of file; open it in Word or WPS and save it as .docx")
        return made.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _kill(proc: subprocess.Popen) -> None:
    """End the conversion's process group (soffice starts soffice.bin in it) and reap it. Called
    only while the group's leader is unreaped, so the group id is still ours."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a process that survives SIGKILL
        pass
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _reason(err: Optional[bytes]) -> str:
    lines = [ln.strip() for ln in (err or b"").decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln and "javaldx" not in ln]
    return lines[0][:120] if lines else "no output"

"""Fixed timestamps inside an xlsx (a zip): the same workbook gives the same bytes (the responsibility
table and the 督办台账 both save through it)."""
from __future__ import annotations

import io
import re


def restamp_zip(data: bytes, when) -> bytes:
    """An xlsx (zip) with every entry stamped ``when``: the same workbook gives the same bytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, body)
            dst.writestr(entry, body)
    return out.getvalue()

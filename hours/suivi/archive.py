"""The first line of defence of the tracking-sheet import (hours/suivi/reading.py says the whole plan):
the first bytes (sniff) and the zip archive (check_archive), before anything is parsed. Every refusal is
an UnreadableFile with a French message naming the limit."""

import io
import logging
import struct
import zipfile
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_PARTS = 1000  # an xlsx written by a spreadsheet has a few dozen parts
MAX_CENTRAL_DIRECTORY = 1024 * 1024  # bytes of zip directory read before anything else
MAX_XML_PART = 16 * 1024 * 1024  # an XML part that openpyxl parses whole (styles, workbook…)
MAX_SHARED_STRINGS_PART = 128 * 1024 * 1024  # the shared-strings part (streamed)
MAX_RATIO = 100  # uncompressed / compressed, for parts of more than RATIO_FLOOR bytes
RATIO_FLOOR = 4 * 1024 * 1024
MAX_SHARED_STRINGS = 500_000  # distinct texts; 200 000 rows of people need far fewer
MAX_SHARED_CHARS = 32_000_000
MAX_COLUMN = 16384  # XFD, Excel's last column
MAX_ROW_ELEMENTS = 100_000  # XML elements in one row (a row of 27 cells has about 60)
MAX_HEAD_ELEMENTS = 100_000  # XML elements of a sheet before its rows (columns, views…)
MAX_PROLOG = 64 * 1024  # bytes before an XML part's root element

WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "macro",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "macro",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": "macro",
    "application/vnd.ms-excel.sheet.binary.macroEnabled.main": "xlsb",
}


class UnreadableFile(Exception):
    """The file is not a readable xlsx tracking sheet, or exceeds a limit (exit status 2)."""


def max_rows():
    """Data rows read at most (under the title row): CLAUSES_IMPORT_MAX_ROWS."""
    return int(getattr(settings, "CLAUSES_IMPORT_MAX_ROWS", 200_000))


def max_uncompressed():
    return int(getattr(settings, "CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB", 500)) * 1024 * 1024


def int_text(n):
    return f"{n:,}".replace(",", "\u202f")


def _mb(n):
    return f"{int_text(round(n / 1024 / 1024))} Mo" if n >= 1024 * 1024 else f"{int_text(n)} octets"


# --------------------------------------------------------------------------------------------------
# The first bytes


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
DAMAGED = "le fichier est endommagé (archive .xlsx incomplète ou corrompue)."
NOT_XLSX = "ce fichier n'est pas un classeur Excel .xlsx lisible"
RESAVE = "enregistrez-le au format « Classeur Excel (.xlsx) »"


def sniff(head, size):
    """Refuse what is obviously not an xlsx, with a message saying what it is."""
    if size == 0:
        raise UnreadableFile("le fichier est vide (0 octet).")
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_MARKER in head:
            raise UnreadableFile(
                "le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe "
                "(Fichier > Informations > Protéger le classeur) puis déposez-le à nouveau."
            )
        raise UnreadableFile(
            "c'est un classeur Excel 97-2003 (.xls) ou un fichier chiffré, pas un .xlsx : "
            f"ouvrez-le et {RESAVE}."
        )
    if not head.startswith(b"PK"):
        sample = head[:2048]
        try:
            text = sample.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = sample.decode("latin-1") if b"\x00" not in sample else ""
        if text and (";" in text or "," in text or "\t" in text):
            raise UnreadableFile(
                "c'est un fichier texte (CSV ?) et non un classeur .xlsx : ouvrez-le dans votre tableur "
                f"et {RESAVE}."
            )
        raise UnreadableFile("ce fichier n'est pas un classeur Excel .xlsx.")


def read_head(source):
    """(first bytes, size) of a path or a binary file object (which is rewound)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        size = path.stat().st_size
        with path.open("rb") as fh:
            return fh.read(65536), size
    pos = source.tell()
    head = source.read(65536)
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(pos)
    return head, size


def read_tail(source, size, n=65536 + 22):
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as fh:
            fh.seek(max(size - n, 0))
            return fh.read()
    pos = source.tell()
    source.seek(max(size - n, 0))
    tail = source.read()
    source.seek(pos)
    return tail


# --------------------------------------------------------------------------------------------------
# The archive


def check_directory(tail):
    """The zip's end record, before zipfile reads its directory: a bounded number of parts."""
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise UnreadableFile(DAMAGED)
    _sig, _disk, _cd_disk, _here, entries, cd_size, _cd_offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or entries > MAX_PARTS or cd_size > MAX_CENTRAL_DIRECTORY:
        shown = "plus de 65\u202f535" if entries == 0xFFFF else int_text(entries)
        raise UnreadableFile(f"l'archive .xlsx contient {shown} parties : {int_text(MAX_PARTS)} au plus.")


def _xml_prolog_has_doctype(head):
    """True when the XML prolog (before the root element) declares a DOCTYPE; UnreadableFile when the
    prolog does not end within MAX_PROLOG bytes. Bytes that do not look like XML: False."""
    if head.startswith((b"\xff\xfe", b"<\x00")):
        text = head.decode("utf-16-le", "ignore")
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        text = head.decode("utf-16-be", "ignore")
    else:
        text = head.decode("latin-1")
    text = text.lstrip("\ufeff\xef\xbb\xbf")
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
        else:  # <!DOCTYPE (or any other declaration): True; the root element, or not XML: False
            return text.startswith("<!", pos)
        if end < 0:
            if len(head) >= MAX_PROLOG:
                raise UnreadableFile("un en-tête XML du classeur est anormalement long : fichier refusé.")
            return False  # a truncated part: the parser will say it is damaged
        pos = end + 2


def doctype_refusal(part):
    return (
        f"la partie « {part} » déclare un DOCTYPE (entités XML) : un classeur Excel n'en contient "
        "jamais, fichier refusé."
    )


def parse_small_xml(archive, name):
    from defusedxml import ElementTree

    try:
        return ElementTree.fromstring(archive.read(name), forbid_dtd=True)
    except Exception as exc:
        logger.warning("xlsx part %s unreadable", name, exc_info=True)
        raise UnreadableFile(f"le fichier est endommagé : la partie « {name} » est illisible.") from exc


def check_archive(archive):
    """Refuse an archive that is too big once inflated, too compressed, incomplete, with macros or with
    a DTD. Returns the workbook part's name."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise UnreadableFile(
            f"l'archive .xlsx contient {int_text(len(infos))} parties : {int_text(MAX_PARTS)} au plus."
        )
    names = {info.filename for info in infos}
    if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:200]:
        raise UnreadableFile(f"c'est un classeur OpenDocument (.ods) : {RESAVE}.")
    total = sum(info.file_size for info in infos)
    if total > max_uncompressed():
        raise UnreadableFile(
            f"l'archive .xlsx se décompresse en {_mb(total)} : {_mb(max_uncompressed())} au plus."
        )
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(
                f"la partie « {info.filename} » de l'archive est chiffrée ou compressée d'une façon "
                f"qu'un tableur n'emploie pas : {RESAVE}."
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise UnreadableFile(
                f"la partie « {info.filename} » se décompresse en {int_text(ratio)} fois sa taille "
                f"(bombe de décompression ?) : {int_text(MAX_RATIO)} fois au plus."
            )
    if "[Content_Types].xml" not in names:
        raise UnreadableFile(f"{NOT_XLSX} : la partie « [Content_Types].xml » manque.")
    for info in infos:
        with archive.open(info) as part:
            head = part.read(MAX_PROLOG)
        if _xml_prolog_has_doctype(head):
            raise UnreadableFile(doctype_refusal(info.filename))
    kinds = {}
    for node in parse_small_xml(archive, "[Content_Types].xml"):
        kind = WORKBOOK_TYPES.get(node.get("ContentType", ""))
        if kind and node.get("PartName"):
            kinds[node.get("PartName").lstrip("/")] = kind
    if "macro" in kinds.values() or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnreadableFile(
            f"le classeur contient des macros (un fichier .xlsm renommé en .xlsx ?) : {RESAVE}, sans macros."
        )
    if "xlsb" in kinds.values():
        raise UnreadableFile(f"c'est un classeur binaire Excel (.xlsb) : {RESAVE}.")
    workbook = next(iter(kinds), None)
    if workbook is None:
        raise UnreadableFile(f"{NOT_XLSX}.")
    rels = f"{workbook.rpartition('/')[0]}/_rels/{workbook.rpartition('/')[2]}.rels".lstrip("/")
    for needed in (workbook, rels):
        if needed not in names:
            raise UnreadableFile(f"{NOT_XLSX} : la partie « {needed} » manque.")
    for info in infos:
        shared = info.filename.lower().endswith("sharedstrings.xml")
        limit = MAX_SHARED_STRINGS_PART if shared else MAX_XML_PART
        if (
            info.filename.lower().endswith((".xml", ".rels"))
            and "worksheets/" not in info.filename
            and info.file_size > limit
        ):
            raise UnreadableFile(
                f"la partie « {info.filename} » fait {_mb(info.file_size)} une fois décompressée : "
                f"{_mb(limit)} au plus."
            )
    return workbook

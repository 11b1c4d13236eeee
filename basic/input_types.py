"""Typed input for ``HEAR x AS <type>`` and menus (DIALECT.md §2.4).

:func:`validate_input` reads what the user typed as the requested type and returns
``(ok, value, hint)``: the value stored in the variable when ``ok``, else a short polite hint to
send back before asking again. Kinds are case-insensitive and every alias of §2.4 is known; any
other word (TEXT, STRING...) is free text and always accepted.

What each kind stores:

* EMAIL: the address, trimmed, lower case. NAME: the name with single spaces.
* DATE: ISO ``"yyyy-MM-dd"``; reads ``21/11/2026`` (day first), ``2026-11-21``, ``21-11-26``,
  ``21 de novembro de 2026``, ``November 21, 2026``, ``today``/``hoje``, ``tomorrow``/``amanhã``,
  ``yesterday``/``ontem``.
* INTEGER/INT/NUMBER: an int (``1.000`` and ``1,000`` read as one thousand).
  FLOAT/DECIMAL/DOUBLE: a float; a lone comma is the decimal mark (``3,5`` is 3.5), and with both
  marks the last one is (``1.234,56`` and ``1,234.56``). MONEY/CURRENCY/AMOUNT: the same after
  dropping a currency sign (R$, $, €, £, USD...), rounded to cents.
* BOOLEAN/BOOL: true for yes/sim/sí/oui/true/1/y/s/ok, false for no/não/nao/false/0/n.
* HOUR/TIME: ``"HH:MM"`` from ``14:30``, ``14h30``, ``14h``, ``2pm``, ``2:30 PM``.
* MOBILE/PHONE/TELEPHONE: digits only, with a leading ``+`` if given (8 to 15 digits).
* ZIPCODE/ZIP/POSTALCODE: a postal code, upper case; CEP: a Brazilian CEP as ``"12345-678"``.
* LANGUAGE/LANG: an ISO 639-1 code (``"pt"``) from a code or a language name in English or in
  the language itself.
* CPF and CNPJ: the digits only, after checking the check digits.
* QRCODE/QR: the decoded content (non-empty text). LOGIN/AUTH: a user name or e-mail (no spaces).
* FILE, IMAGE/PHOTO/PICTURE, AUDIO/VOICE/SOUND, VIDEO, DOCUMENT/DOC/PDF: as text input these accept
  an http(s) URL, a ``data:`` URI of the right media type, or a file name with a fitting
  extension; the channel passes uploads as their URL.
* URL/LINK: the URL, with ``https://`` added to a bare domain. UUID/GUID: canonical lower case.
* COLOR/COLOUR: ``"#rrggbb"`` from ``#hex`` (3, 6 or 8 digits), ``rgb(r, g, b)`` or a colour name
  (English or Portuguese).
* CREDITCARD/CARD: the digits, after the Luhn check. PASSWORD/PASS/SECRET: as typed, at least 8
  characters.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from basic.values import to_text

Result = tuple[bool, Any, str]


def _ok(value: Any) -> Result:
    return True, value, ""


def _no(hint: str) -> Result:
    return False, None, hint


def _fold(text: str) -> str:
    """Lower case without accents, for matching words like 'não' and 'nao'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- e-mail, name -------------------------------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}")


def _email(text: str) -> Result:
    s = text.strip()
    if _EMAIL.fullmatch(s) and ".." not in s and not s.startswith("."):
        return _ok(s.lower())
    return _no("Please enter a valid e-mail address, like name@example.com.")


def _name(text: str) -> Result:
    s = " ".join(text.split())
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 2 and all(c.isalpha() or c in " '-.’" for c in s):
        return _ok(s)
    return _no("Please enter your name using letters only, like Maria Silva.")


# --- dates and times ------------------------------------------------------------------------------

_MONTHS = {
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(
        ["janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro",
         "outubro", "novembro", "dezembro"], 1)},
    **{m: i for i, m in enumerate(
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
         "octubre", "noviembre", "diciembre"], 1)},
}
for _name_, _num_ in list(_MONTHS.items()):
    _MONTHS.setdefault(_name_[:3], _num_)

_RELATIVE = {
    "today": 0, "hoje": 0, "hoy": 0,
    "tomorrow": 1, "amanha": 1, "manana": 1,
    "yesterday": -1, "ontem": -1, "ayer": -1,
}  # fmt: skip
_NUMERIC_DATE = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_WORD_DATE_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th|º|o)?\s+(?:de\s+)?([a-z]+)\.?,?\s+(?:de\s+)?(\d{4})")
_WORD_DATE_MDY = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")


def _make_date(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_user_date(text: str, today: date | None = None) -> date | None:
    """A date typed by a person, in the forms the module notes list, or None."""
    s = _fold(text.strip())
    if s in _RELATIVE:
        return (today or date.today()) + timedelta(days=_RELATIVE[s])
    m = _NUMERIC_DATE.fullmatch(s)
    if m:
        a, b, c = m.groups()
        if len(a) == 4:
            return _make_date(int(a), int(b), int(c))
        if len(c) in (2, 4):
            return _make_date(int(c), int(b), int(a)) or _make_date(int(c), int(a), int(b))
        return None
    m = _WORD_DATE_DMY.fullmatch(s)
    if m and m.group(2) in _MONTHS:
        return _make_date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    m = _WORD_DATE_MDY.fullmatch(s)
    if m and m.group(1) in _MONTHS:
        return _make_date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
    try:
        return datetime.fromisoformat(s.upper()).date()
    except ValueError:
        return None


def _date(text: str, today: date | None) -> Result:
    d = parse_user_date(text, today)
    if d is None:
        return _no("Please enter a valid date, like 21/11/2026.")
    return _ok(d.isoformat())


_TIME = re.compile(r"(\d{1,2})(?:\s*[:h.]\s*(\d{2})|\s*h)?(?:\s*[:m]\s*(\d{2})s?)?\s*(am|pm|a\.m\.|p\.m\.)?")


def _time(text: str) -> Result:
    s = text.strip().lower()
    m = _TIME.fullmatch(s)
    hint = "Please enter a time, like 14:30."
    if not m or (m.group(2) is None and m.group(4) is None and "h" not in s):
        return _no(hint)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    suffix = (m.group(4) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return _no(hint)
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59 or (m.group(3) is not None and int(m.group(3)) > 59):
        return _no(hint)
    return _ok(f"{hour:02d}:{minute:02d}")


# --- numbers ------------------------------------------------------------------------------------

_GROUPED = re.compile(r"[+-]?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def parse_user_number(text: str) -> float | int | None:
    """A number typed by a person: ``3,5``, ``1.234,56``, ``1,234.56``, ``-2``; None if it is not one."""
    s = text.strip().replace(" ", "").replace("\u00a0", "")
    if not s or not re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", s):
        return None
    if "." in s and "," in s:
        decimal_mark = "." if s.rfind(".") > s.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
        whole, _, frac = s.rpartition(decimal_mark)
        grouped = r"[+-]?\d{1,3}(?:" + re.escape(group_mark) + r"\d{3})*"
        if decimal_mark in whole or not re.fullmatch(grouped, whole):
            return None
        return float(whole.replace(group_mark, "") + "." + frac)
    for mark in ",.":
        if s.count(mark) > 1:
            return int(s.replace(mark, "")) if _GROUPED.fullmatch(s) else None
    if "," in s:
        return float(s.replace(",", "."))
    return float(s) if "." in s else int(s)


def _integer(text: str) -> Result:
    s = text.strip()
    hint = "Please enter a whole number, like 42."
    if _GROUPED.fullmatch(s.replace(" ", "")):
        return _ok(int(re.sub(r"[.,\s]", "", s)))
    n = parse_user_number(s)
    if n is None or (isinstance(n, float) and not n.is_integer()):
        return _no(hint)
    return _ok(int(n))


def _float(text: str) -> Result:
    n = parse_user_number(text)
    if n is None:
        return _no("Please enter a number, like 3.5.")
    return _ok(float(n))


_CURRENCY = re.compile(r"(?i)r\$|us\$|\$|€|£|¥|\b(?:brl|usd|eur|gbp|reais|real|dollars?|euros?)\b")


def _money(text: str) -> Result:
    n = parse_user_number(_CURRENCY.sub("", text))
    if n is None:
        return _no("Please enter an amount, like 1,250.00.")
    return _ok(round(float(n) + 0.0, 2))


def _boolean(text: str) -> Result:
    s = _fold(text.strip()).rstrip(".!")
    if s in ("yes", "y", "sim", "s", "si", "oui", "true", "1", "ok", "verdadeiro", "claro", "yeah", "yep"):
        return _ok(True)
    if s in ("no", "n", "nao", "non", "false", "0", "falso", "nope"):
        return _ok(False)
    return _no("Please answer yes or no.")


# --- phones, codes, documents ---------------------------------------------------------------------


def _phone(text: str) -> Result:
    s = text.strip()
    if not re.fullmatch(r"\+?[\d\s().-]+", s):
        return _no("Please enter a phone number with its area code, like +55 21 99999-9999.")
    digits = re.sub(r"\D", "", s)
    if not 8 <= len(digits) <= 15:
        return _no("Please enter a phone number with its area code, like +55 21 99999-9999.")
    return _ok(("+" if s.startswith("+") else "") + digits)


def _zipcode(text: str) -> Result:
    s = " ".join(text.strip().upper().split())
    if re.fullmatch(r"\d{5}-?\d{3}", s):
        digits = s.replace("-", "")
        return _ok(f"{digits[:5]}-{digits[5:]}")
    if re.fullmatch(r"\d{5}(-\d{4})?", s) or re.fullmatch(r"[A-Z0-9][A-Z0-9 -]{1,8}[A-Z0-9]", s) and any(
        c.isdigit() for c in s
    ):
        return _ok(s)
    return _no("Please enter a valid postal code, like 12345-678.")


def _cep(text: str) -> Result:
    s = text.strip()
    if re.fullmatch(r"\d{2}\.?\d{3}-?\d{3}", s):
        digits = re.sub(r"\D", "", s)
        return _ok(f"{digits[:5]}-{digits[5:]}")
    return _no("Please enter a valid CEP with 8 digits, like 12345-678.")


def _check_digit(digits: list[int], weights: list[int]) -> int:
    r = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if r < 2 else 11 - r


def is_valid_cpf(digits: str) -> bool:
    if len(digits) != 11 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    d = [int(c) for c in digits]
    first = _check_digit(d[:9], list(range(10, 1, -1)))
    second = _check_digit(d[:10], list(range(11, 1, -1)))
    return d[9] == first and d[10] == second


def is_valid_cnpj(digits: str) -> bool:
    if len(digits) != 14 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    d = [int(c) for c in digits]
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    first = _check_digit(d[:12], w1)
    second = _check_digit(d[:13], [6, *w1])
    return d[12] == first and d[13] == second


def _cpf(text: str) -> Result:
    s = text.strip()
    digits = re.sub(r"[.\-\s]", "", s)
    if is_valid_cpf(digits):
        return _ok(digits)
    return _no("Please enter a valid CPF with its 11 digits, like 123.456.789-09.")


def _cnpj(text: str) -> Result:
    digits = re.sub(r"[./\-\s]", "", text.strip())
    if is_valid_cnpj(digits):
        return _ok(digits)
    return _no("Please enter a valid CNPJ with its 14 digits, like 12.345.678/0001-95.")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        n = int(c)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _credit_card(text: str) -> Result:
    digits = re.sub(r"[\s-]", "", text.strip())
    if digits.isdigit() and 13 <= len(digits) <= 19 and luhn_ok(digits):
        return _ok(digits)
    return _no("Please enter a valid card number, with its 13 to 19 digits.")


# --- language -----------------------------------------------------------------------------------

_LANGUAGES = {
    "en": ("english", "ingles"),
    "pt": ("portuguese", "portugues"),
    "es": ("spanish", "espanol", "espanhol", "castellano"),
    "fr": ("french", "francais", "frances"),
    "de": ("german", "deutsch", "alemao"),
    "it": ("italian", "italiano"),
    "nl": ("dutch", "nederlands", "holandes"),
    "ru": ("russian", "russkiy", "russo", "русский"),
    "zh": ("chinese", "mandarin", "chines", "中文"),
    "ja": ("japanese", "nihongo", "japones", "日本語"),
    "ko": ("korean", "coreano", "한국어"),
    "ar": ("arabic", "arabe", "العربية"),
    "hi": ("hindi", "हिन्दी"),
    "tr": ("turkish", "turkce", "turco"),
    "pl": ("polish", "polski", "polones"),
    "sv": ("swedish", "svenska", "sueco"),
    "he": ("hebrew", "hebraico", "עברית"),
    "el": ("greek", "grego", "ελληνικα"),
    "uk": ("ukrainian", "ucraniano", "українська"),
    "id": ("indonesian", "bahasa indonesia", "indonesio"),
}
_LANGUAGE_NAMES = {name: code for code, names in _LANGUAGES.items() for name in names}


def _language(text: str) -> Result:
    s = text.strip()
    m = re.fullmatch(r"([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?", s)
    if m and m.group(1).lower() in _LANGUAGES:
        code = m.group(1).lower()
        return _ok(f"{code}-{m.group(2).upper()}" if m.group(2) else code)
    code = _LANGUAGE_NAMES.get(_fold(s))
    if code:
        return _ok(code)
    return _no("Please tell me a language, like English, Português or es.")


# --- links, files, ids, colours -----------------------------------------------------------------

_URL = re.compile(r"https?://(?:localhost|[\w-]+(?:\.[\w-]+)+|\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:[/?#]\S*)?",
                  re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)


def _url(text: str) -> Result:
    s = text.strip()
    if _URL.fullmatch(s):
        return _ok(s)
    if _BARE_DOMAIN.fullmatch(s) and "@" not in s:
        return _ok("https://" + s)
    return _no("Please enter a web address, like https://example.com.")


_MEDIA = {
    "file": ("", (), "Please send a file, or its link."),
    "image": ("image/", ("png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "heic", "tif", "tiff"),
              "Please send an image (a photo or picture), or its link."),
    "audio": ("audio/", ("mp3", "wav", "ogg", "oga", "opus", "m4a", "aac", "flac", "weba", "amr"),
              "Please send an audio or voice message, or its link."),
    "video": ("video/", ("mp4", "mov", "avi", "mkv", "webm", "m4v", "3gp", "wmv"),
              "Please send a video, or its link."),
    "document": ("application/", ("pdf", "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv",
                                  "ppt", "pptx", "odp", "md"),
                 "Please send a document (PDF, Word, spreadsheet...), or its link."),
}


def _media(kind: str) -> Callable[[str], Result]:
    mime, extensions, hint = _MEDIA[kind]

    def check(text: str) -> Result:
        s = text.strip()
        if _URL.fullmatch(s):
            return _ok(s)
        if s.lower().startswith("data:"):
            return _ok(s) if s[5:].lower().startswith(mime) and ";base64," in s.lower() else _no(hint)
        m = re.fullmatch(r"[^\s/\\][^\n]*\.([A-Za-z0-9]{1,5})", s)
        if m and (not extensions or m.group(1).lower() in extensions) and "\n" not in s:
            return _ok(s)
        return _no(hint)

    return check


def _uuid(text: str) -> Result:
    s = text.strip()
    try:
        if re.fullmatch(r"\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?", s):
            return _ok(str(uuid.UUID(s.strip("{}"))))
    except ValueError:
        pass
    return _no("Please enter a valid identifier (UUID), like 123e4567-e89b-12d3-a456-426614174000.")


_COLORS = {
    "black": "#000000", "white": "#ffffff", "red": "#ff0000", "green": "#008000", "blue": "#0000ff",
    "yellow": "#ffff00", "orange": "#ffa500", "purple": "#800080", "pink": "#ffc0cb", "brown": "#a52a2a",
    "gray": "#808080", "grey": "#808080", "cyan": "#00ffff", "magenta": "#ff00ff", "lime": "#00ff00",
    "navy": "#000080", "teal": "#008080", "maroon": "#800000", "olive": "#808000", "silver": "#c0c0c0",
    "gold": "#ffd700", "violet": "#ee82ee", "indigo": "#4b0082", "beige": "#f5f5dc", "turquoise": "#40e0d0",
    "preto": "#000000", "branco": "#ffffff", "vermelho": "#ff0000", "verde": "#008000", "azul": "#0000ff",
    "amarelo": "#ffff00", "laranja": "#ffa500", "roxo": "#800080", "rosa": "#ffc0cb", "marrom": "#a52a2a",
    "cinza": "#808080", "dourado": "#ffd700", "prata": "#c0c0c0", "bege": "#f5f5dc", "lilas": "#c8a2c8",
}  # fmt: skip


def _color(text: str) -> Result:
    s = _fold(text.strip())
    hint = "Please enter a colour, like blue or #1e90ff."
    if s in _COLORS:
        return _ok(_COLORS[s])
    m = re.fullmatch(r"#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})", s)
    if m and (s.startswith("#") or len(m.group(1)) in (6, 8)):
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return _ok("#" + h)
    m = re.fullmatch(r"rgb\s*\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)", s)
    if m and all(int(g) <= 255 for g in m.groups()):
        return _ok("#" + "".join(f"{int(g):02x}" for g in m.groups()))
    return _no(hint)


def _qrcode(text: str) -> Result:
    s = text.strip()
    return _ok(s) if s else _no("Please send the QR code: a photo of it, or the text it holds.")


def _login(text: str) -> Result:
    s = text.strip()
    if re.fullmatch(r"[\w.@+-]{3,}", s):
        return _ok(s)
    return _no("Please sign in, or type your user name (no spaces).")


def _password(text: str) -> Result:
    s = text.strip("\r\n")
    if len(s) >= 8:
        return _ok(s)
    return _no("Please enter a password of at least 8 characters.")


_KINDS: dict[str, Callable[[str], Result]] = {
    "EMAIL": _email,
    "NAME": _name,
    "INTEGER": _integer,
    "FLOAT": _float,
    "BOOLEAN": _boolean,
    "HOUR": _time,
    "MONEY": _money,
    "MOBILE": _phone,
    "ZIPCODE": _zipcode,
    "CEP": _cep,
    "LANGUAGE": _language,
    "CPF": _cpf,
    "CNPJ": _cnpj,
    "QRCODE": _qrcode,
    "LOGIN": _login,
    "FILE": _media("file"),
    "IMAGE": _media("image"),
    "AUDIO": _media("audio"),
    "VIDEO": _media("video"),
    "DOCUMENT": _media("document"),
    "URL": _url,
    "UUID": _uuid,
    "COLOR": _color,
    "CREDITCARD": _credit_card,
    "PASSWORD": _password,
}

ALIASES = {
    "INT": "INTEGER", "NUMBER": "INTEGER",
    "DECIMAL": "FLOAT", "DOUBLE": "FLOAT",
    "BOOL": "BOOLEAN",
    "TIME": "HOUR",
    "CURRENCY": "MONEY", "AMOUNT": "MONEY",
    "PHONE": "MOBILE", "TELEPHONE": "MOBILE",
    "ZIP": "ZIPCODE", "POSTALCODE": "ZIPCODE",
    "LANG": "LANGUAGE",
    "QR": "QRCODE",
    "AUTH": "LOGIN",
    "PHOTO": "IMAGE", "PICTURE": "IMAGE",
    "VOICE": "AUDIO", "SOUND": "AUDIO",
    "DOC": "DOCUMENT", "PDF": "DOCUMENT",
    "LINK": "URL",
    "GUID": "UUID",
    "COLOUR": "COLOR",
    "CARD": "CREDITCARD",
    "PASS": "PASSWORD", "SECRET": "PASSWORD",
}  # fmt: skip

KNOWN_KINDS = frozenset(_KINDS) | frozenset(ALIASES) | {"DATE"}


def canonical_kind(kind: str) -> str | None:
    """The canonical name of a typed-input kind, or None for free text."""
    k = kind.strip().upper()
    k = ALIASES.get(k, k)
    return k if k in _KINDS or k == "DATE" else None


def validate_input(kind: str, text: str, *, today: date | None = None) -> Result:
    """Read ``text`` as ``kind``: ``(True, value, "")`` or ``(False, None, hint)``.

    ``today`` anchors words like "tomorrow" for DATE (the run's clock; the system date if omitted).
    """
    canonical = canonical_kind(kind)
    text = "" if text is None else str(text)
    if canonical is None:
        return _ok(text)
    if canonical == "DATE":
        return _date(text, today)
    return _KINDS[canonical](text)


def menu_choice(options: list[Any], text: str) -> Result:
    """Match an answer to a menu: the option's text (ignoring case and accents) or its 1-based number."""
    answer = _fold(" ".join(str(text or "").split()))
    labels = [_fold(" ".join(to_text(o).split())) for o in options]
    for option, label in zip(options, labels, strict=True):
        if answer == label:
            return _ok(option)
    m = re.fullmatch(r"(\d+)[.)]?", answer)
    if m and 1 <= int(m.group(1)) <= len(options):
        return _ok(options[int(m.group(1)) - 1])
    shown = ", ".join(f"{i}. {to_text(o)}" for i, o in enumerate(options, 1))
    return _no(f"Please choose one of the options: {shown}.")

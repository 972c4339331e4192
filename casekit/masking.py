"""个人信息脱敏: mask the mobile numbers, landlines, ID-card and bank-card numbers and the email
addresses someone typed into free text.

Free text (a report's description, an address, a disposal's notes, a call-back's note) is
published to Kafka and kept by Analytics; Intake keeps a report's original encrypted (issue 8,
defect 5). Every service masks the free text it takes in with these functions. Each number keeps a hint
for a human reading the case (`138****8000`, `0516-****5678`, `320302********1234`,
`6222***********0128`, `h*******@example.com`); separators and the text around it are left as
they were.

Regexes, not `phonenumbers`: its matcher finds *valid* numbers for parsing, and for masking
that leaks (it skips `0516-83881234-8001` with a dash extension and `Tel13800138000` glued to
Latin letters, and any mobile range its metadata does not know yet), while its lenient mode
takes coordinates and amounts for numbers; it knows no ID cards either. Here every number is
bounded by non-digits, so the digits of case numbers, dates, coordinates and unit-grid codes
never start or end a match. A bank card is 16 to 19 digits that pass the Luhn check (every
card number does), so an order number or a long figure is left alone; an email address is the
usual `local@domain.tld`, its local part hidden but the first character (issue 9).

Full-width digits and punctuation (１３８, －, （）, ＋, the ideographic space) are matched as their
ASCII forms and masked in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from typing import Literal, overload

Kind = Literal["mobile", "landline", "id-card", "bank-card", "email"]
MASK = "*"

# Full-width forms U+FF01-FF5E are ASCII + 0xFEE0; one code point for one, so spans carry over.
_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(" ")}

# A number starts and ends at a non-digit, and not at the decimal point of a figure (34.16772474).
_START = r"(?<![0-9])(?<![0-9]\.)"
_END = r"(?![0-9])(?!\.[0-9])"
_SEP = "[ -]"  # what people put inside a number: a space or a dash (full-width ones normalised)
# 86 or +86 / 0086, optionally in parentheses: (+86) 138 ...
_COUNTRY = r"(?:\(\s*(?:\+|00)?86\s*\)|(?:\+|00)?86)"
# 010 and 02x are the only three-digit area codes; every other one is 0 + three digits.
_AREA = r"(?:10|2[0-9]|[3-9][0-9]{2})"
# Province-level codes that start an ID number (81-83: Hong Kong, Macao, Taiwan residence permits).
_PROVINCE = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3])"
_MONTH_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"

MOBILE = re.compile(rf"{_START}(?:{_COUNTRY}{_SEP}?)?(?P<core>1{_SEP}?[3-9](?:{_SEP}?[0-9]){{9}}){_END}")
LANDLINE = re.compile(
    rf"{_START}(?:{_COUNTRY}{_SEP}?\(?0?{_AREA}\)?|\(?0{_AREA}\)?)"  # +86 516, (0516), 0516
    rf"{_SEP}?(?P<core>[2-9][0-9]{{2,3}}{_SEP}?[0-9]{{4}})"  # 7 or 8 digits, never starting 0 or 1
    r"(?: *(?:转|分机|ext\.?|x|#|-) *[0-9]{1,6})?"  # an extension is the switchboard's, not the person's
    rf"{_END}",
    re.IGNORECASE,
)
ID_CARD = re.compile(
    rf"{_START}(?P<core>{_PROVINCE}[0-9]{{4}}{_SEP}?(?:19|20)[0-9]{{2}}{_MONTH_DAY}{_SEP}?[0-9]{{3}}[0-9Xx]){_END}"
)
# First-generation cards: YYMMDD means 19YY. 15 digits is also the length of a unit-grid code
# (community code + 3), and a grid code of a 0xx or 1xx street reads as a birth in 1900-1919:
# nobody born then is alive, so only 1920-1999 counts, and the date must exist.
OLD_ID_CARD = re.compile(rf"{_START}(?P<core>{_PROVINCE}[0-9]{{4}}(?P<birth>[2-9][0-9]{_MONTH_DAY})[0-9]{{3}}){_END}")
# Card numbers are written whole or in fours (6222 0212 3456 7890 128), never split elsewhere, so
# a grid code and a house number (`320302001001001 3号楼`) do not read as one; issuers' numbers
# start 3 (JCB, Amex), 4 (Visa), 5 (Mastercard), 6 (UnionPay 62, most Chinese cards), 9 (old domestic).
BANK_CARD = re.compile(
    rf"{_START}(?P<core>[3-69][0-9]{{15,18}}|[3-69][0-9]{{3}}(?:{_SEP}[0-9]{{4}}){{3}}(?:{_SEP}[0-9]{{1,3}})?){_END}"
)
# The local part is what names a person (hanmeimei@, 13800138000@); the domain is kept.
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<core>[A-Za-z0-9._%+-]+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![A-Za-z0-9-])"
)


def _born(match: re.Match[str]) -> bool:
    """Whether YYMMDD of a first-generation card is a real date (19YY)."""
    birth = match["birth"]
    try:
        date(1900 + int(birth[:2]), int(birth[2:4]), int(birth[4:]))
    except ValueError:
        return False
    return True


def _luhn(match: re.Match[str]) -> bool:
    """The check digit every payment card carries (ISO/IEC 7812)."""
    digits = [int(char) for char in match["core"] if char.isdigit()]
    total = sum(digits[-1::-2]) + sum(sum(divmod(2 * digit, 10)) for digit in digits[-2::-2])
    return total % 10 == 0


def _always(_: re.Match[str]) -> bool:
    return True


@dataclass(frozen=True)
class _Rule:
    kind: Kind
    pattern: re.Pattern[str]
    head: int
    """Characters of the match's core group left visible at its start, and at its end:"""
    tail: int
    valid: Callable[[re.Match[str]], bool] = _always
    """What a regex cannot say: a real birth date, a card's check digit."""


# An ID number comes before a card number: where both match the same digits, the first rule wins.
RULES = (
    _Rule("id-card", ID_CARD, 6, 4),  # region and the last four: 320302********1234
    _Rule("id-card", OLD_ID_CARD, 6, 3, _born),  # the whole birth date hidden: 320302******123
    _Rule("bank-card", BANK_CARD, 4, 4, _luhn),  # the issuer and the last four: 6222***********0128
    _Rule("mobile", MOBILE, 3, 4),  # 138****8000, a country code before it kept
    _Rule("landline", LANDLINE, 0, 4),  # area code and extension kept: 0516-****5678
    _Rule("email", EMAIL, 1, 0),  # the first character and the domain: h*******@example.com
)


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind and where it is (end exclusive)."""

    kind: Kind
    start: int
    end: int
    hidden: tuple[int, ...]
    """Positions in the text of the characters that masking replaces."""


def find_personal_data(text: str, keep: Collection[str] = ()) -> list[Finding]:
    """Every phone, ID-card and bank-card number and email address in `text`, in order, none overlapping.

    `keep` holds digit strings that are never personal data whatever they look like: a city's
    jurisdiction codes, so a 15-digit unit-grid code is not taken for an old ID number.
    """
    plain = text.translate(_ASCII)
    found = [(rule, match) for rule in RULES for match in rule.pattern.finditer(plain) if rule.valid(match)]
    found.sort(key=lambda item: (item[1].start(), -item[1].end()))  # the longest of those starting together
    findings: list[Finding] = []
    for rule, match in found:
        if findings and match.start() < findings[-1].end:
            continue  # inside a longer number already found (the digits of an ID read as a mobile)
        digits = [i for i in range(match.start("core"), match.end("core")) if plain[i].isalnum()]
        if "".join(plain[i] for i in digits) in keep:
            continue
        # A core too short to keep its hint (the `a` of a@b.cn) is hidden whole.
        hidden = tuple(digits[rule.head : len(digits) - rule.tail]) or tuple(digits)
        findings.append(Finding(rule.kind, match.start(), match.end(), hidden))
    return findings


def mask_personal_data(text: str, keep: Collection[str] = ()) -> str:
    """`text` with the middle of every phone, ID-card and card number and email address replaced by `*`."""
    hidden = {i for finding in find_personal_data(text, keep) for i in finding.hidden}
    if not hidden:
        return text
    return "".join(MASK if i in hidden else char for i, char in enumerate(text))


def contains_personal_data(text: str, keep: Collection[str] = ()) -> bool:
    """Whether masking would change `text` (to count or log masked fields, never their content)."""
    return bool(find_personal_data(text, keep))


@overload
def masked(text: str, keep: Collection[str] = ()) -> str: ...
@overload
def masked(text: None, keep: Collection[str] = ()) -> None: ...
def masked(text: str | None, keep: Collection[str] = ()) -> str | None:
    """`mask_personal_data` for an optional note or reason: None stays None."""
    return None if text is None else mask_personal_data(text, keep)

"""案件编号: the short number people read out on a phone call, e.g. HL-20261124-000123."""

from datetime import date

from schemas.intake import Channel

PREFIXES: dict[Channel, str] = {"hotline": "HL", "grid": "GR", "whistle": "WH", "public": "PB"}


def case_number(channel: Channel, day: date, sequence: int) -> str:
    return f"{PREFIXES[channel]}-{day:%Y%m%d}-{sequence:06d}"

"""案件编号: the short number people read out on a phone call, e.g. HL-20261124-000123."""

from datetime import date

from schemas.intake import Channel

PREFIXES: dict[Channel, str] = {"hotline": "HL", "grid": "GR", "whistle": "WH", "public": "PB"}


def case_number(channel: Channel, day: date, sequence: int) -> str:
    """The number of the `sequence`-th case of `day` on a channel.

    `day` is the city's calendar date, `city.local_date(at)`, never `at.date()`: a call at 07:00
    in Xuzhou is 23:00 UTC the day before, and its number must carry the date the caller sees;
    the daily sequence restarts at the city's midnight (issue 8, defect 2).
    """
    if sequence < 1:
        raise ValueError(f"a case sequence starts at 1, got {sequence}")
    return f"{PREFIXES[channel]}-{day:%Y%m%d}-{sequence:06d}"

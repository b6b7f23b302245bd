import re

_UNITS = {"h": 3600, "m": 60, "s": 1}


def parse_duration(text):
    """Seconds in a duration such as "1h30m", "45m" or "2m5s"."""
    if not re.fullmatch(r"(\d+[hms])+", text.strip()):
        raise ValueError(f"not a duration: {text!r}")
    total = 0
    for amount, unit in re.findall(r"(\d+)([hms])", text):
        total += int(amount) * _UNITS[unit]
    return total

import re

_UNITS = {"h": 3600, "m": 60}


def parse_duration(text):
    """Seconds in a duration such as "1h30m" or "45m"."""
    total = 0
    for amount, unit in re.findall(r"(\d+)([hm])", text):
        total += int(amount) * _UNITS[unit]
    return total

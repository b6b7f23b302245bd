from .pricing import calc_total


def receipt(prices, member=False):
    """The line printed at the bottom of a receipt."""
    total = calc_total(prices, 0.1 if member else 0.0)
    return f"TOTAL {total:.2f}"

def calc_tot(prices, discount=0.0):
    """Total of the prices after a fractional discount, rounded to cents."""
    return round(sum(prices) * (1 - discount), 2)

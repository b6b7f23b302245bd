VAT = {"EU": 0.20, "UK": 0.20, "CH": 0.081}


def rate_for(region):
    """VAT rate of a region code."""
    return VAT.get(region, 0.0)

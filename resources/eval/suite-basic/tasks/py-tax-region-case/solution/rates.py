VAT = {"EU": 0.20, "UK": 0.20, "CH": 0.081}


def rate_for(region):
    """VAT rate of a region code (case and surrounding spaces ignored); KeyError for an unknown one."""
    return VAT[region.strip().upper()]

from rates import rate_for


def invoice_total(net, region):
    """Gross amount: net plus the VAT of the customer's region, rounded to cents."""
    return round(net * (1 + rate_for(region)), 2)

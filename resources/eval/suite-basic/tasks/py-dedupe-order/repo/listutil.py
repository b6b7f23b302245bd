def dedupe(items):
    """The items without duplicates."""
    return list(set(items))

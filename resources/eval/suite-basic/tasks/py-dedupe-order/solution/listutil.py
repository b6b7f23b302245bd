def dedupe(items):
    """The items without duplicates, first occurrences in their original order."""
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out

def is_balanced(text):
    """Whether the brackets in text are balanced."""
    return all(text.count(o) == text.count(c) for o, c in ["()", "[]", "{}"])

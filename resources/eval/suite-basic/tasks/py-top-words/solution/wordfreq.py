import re
from collections import Counter


def top_words(text, n):
    """The n most common words (lower case, punctuation stripped) with their counts, most common first."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return Counter(words).most_common(n)

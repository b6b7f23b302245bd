from collections import Counter


def top_words(text, n):
    """The n most common words with their counts, most common first."""
    return Counter(text.split()).most_common(n)
